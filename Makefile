# sqlite-cloudtrail — build, test and demo targets.  See README.md.

VERSION  := $(shell cat VERSION)
UNAME_S  := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  SOEXT  := dylib
  SOFLAG := -dynamiclib -undefined dynamic_lookup
else
  SOEXT  := so
  SOFLAG := -shared
endif

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Werror
CFLAGS   ?= -O2 -g
CPPFLAGS += -DCT_VERSION='"$(VERSION)"'
# libdeflate (Debian libdeflate-dev) inflates whole gzip files about twice
# as fast as zlib; without it the extension uses zlib alone.
HAVE_LIBDEFLATE := $(shell printf '\043include <libdeflate.h>\n' | $(CC) -E - >/dev/null 2>&1 && echo 1 || echo 0)
ifeq ($(HAVE_LIBDEFLATE),1)
  CPPFLAGS += -DCT_HAVE_LIBDEFLATE=1
  LIBS     := -ldeflate -lz -pthread
else
  LIBS     := -lz -pthread
endif
# OpenSSL's libcrypto (Debian libssl-dev) computes SHA-256 and checks the
# RSA signatures of CloudTrail digest files.  It is required unless the
# build says CRYPTO=0: then cloudtrail_validate() and cloudtrail_sha256()
# exist but fail with "… needs OpenSSL's libcrypto …" (docs/integrity.md).
CRYPTO ?= 1
ifeq ($(CRYPTO),1)
  HAVE_CRYPTO := $(shell printf '\043include <openssl/evp.h>\n' | $(CC) -E - >/dev/null 2>&1 && echo 1 || echo 0)
  ifneq ($(HAVE_CRYPTO),1)
    $(error libcrypto headers not found: apt-get install libssl-dev, or build with CRYPTO=0)
  endif
  CPPFLAGS += -DCT_HAVE_CRYPTO=1
  LIBS     += -lcrypto
endif
# libmaxminddb (Debian libmaxminddb-dev) reads the MaxMind databases that
# cloudtrail_ecs()'s geoip= and asn= options name (source.geo, source.as).
HAVE_MAXMINDDB := $(shell printf '\043include <maxminddb.h>\n' | $(CC) -E - >/dev/null 2>&1 && echo 1 || echo 0)
ifneq ($(HAVE_MAXMINDDB),1)
  $(error maxminddb.h not found: apt-get install libmaxminddb-dev)
endif
LIBS     += -lmaxminddb
# PCRE2 (Debian libpcre2-dev) evaluates EQL's regex and regex~ (ct_qeval.c).
HAVE_PCRE2 := $(shell printf '\043define PCRE2_CODE_UNIT_WIDTH 8\n\043include <pcre2.h>\n' | $(CC) -E - >/dev/null 2>&1 && echo 1 || echo 0)
ifneq ($(HAVE_PCRE2),1)
  $(error pcre2.h not found: apt-get install libpcre2-dev)
endif
LIBS     += -lpcre2-8 -lm
ALLFLAGS := -std=c11 -fPIC -pthread $(WARN) $(CPPFLAGS) $(CFLAGS)
SRCS     := $(wildcard ext/*.c)
HDRS     := $(wildcard ext/*.h)
EXT      := dist/cloudtrail.$(SOEXT)
NOCRYPTO_EXT := dist/nocrypto/cloudtrail.$(SOEXT)
SQLITE3  ?= sqlite3
PYTHON   ?= /usr/bin/python3

# Sanitizer build: the same sources, loaded into the stock sqlite3 shell
# with the ASan runtime preloaded so every report reaches stderr.
ASAN_EXT   := dist/asan/cloudtrail.$(SOEXT)
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
ASAN_RT     = $(shell $(CC) -print-file-name=libasan.so)

.PHONY: all demo test test-notebook test-portable test-threads test-install install uninstall tsan asan valgrind fuzz fuzz-short conformance clean

all: $(EXT)

$(EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist
	$(CC) $(ALLFLAGS) $(SOFLAG) -o $@ $(SRCS) $(LIBS)

# The C unit tests link the sources statically (-DSQLITE_CORE) against the
# system libsqlite3.
dist/test_unit: tests/c/test_unit.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist
	$(CC) $(ALLFLAGS) -DSQLITE_CORE -Iext -o $@ tests/c/test_unit.c $(SRCS) -lsqlite3 $(LIBS)

# Out-of-memory at every allocation, statement by statement (tests/c/test_oom.c).
dist/test_oom: tests/c/test_oom.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist
	$(CC) $(ALLFLAGS) -DSQLITE_CORE -Iext -o $@ tests/c/test_oom.c $(SRCS) -lsqlite3 $(LIBS)

# Loads the built extension into a pretend old host (tests/c/test_oldhost.c).
dist/test_oldhost: tests/c/test_oldhost.c
	@mkdir -p dist
	$(CC) $(ALLFLAGS) -o $@ tests/c/test_oldhost.c -lsqlite3 -ldl

demo: $(EXT)
	@$(SQLITE3) -batch -init /dev/null :memory: \
	  -cmd '.load ./$(EXT)' -cmd '.mode box' < sql/demo.sql

test: $(EXT) $(NOCRYPTO_EXT) dist/test_unit dist/test_oom dist/test_oldhost test-portable test-threads test-install
	@sh tests/run_sql.sh ./$(EXT)
	@./dist/test_unit
	@./dist/test_oom
	@./dist/test_oldhost ./$(EXT)
	@bash tests/run_system.sh ./$(EXT)
	@$(PYTHON) tests/conformance.py --ext ./$(EXT) --fixtures
	@$(PYTHON) tests/check_ecs_docs.py ./$(EXT)
	@$(PYTHON) tests/test_python.py ./$(EXT)
	@$(PYTHON) tests/test_time.py ./$(EXT)
	@bash tests/test_sqlite_utils.sh ./$(EXT)
	@bash tests/test_duckdb.sh ./$(EXT)
	@bash tests/test_ingest.sh ./$(EXT)
	@bash tests/test_rules_tool.sh ./$(EXT)
	@bash tests/test_validate.sh ./$(EXT) ./$(NOCRYPTO_EXT)

# docs/notebooks/investigate.ipynb executed headless with Debian's Jupyter
# packages (python3-nbclient python3-ipykernel python3-pandas
# python3-matplotlib); checks its alert count and figure.
test-notebook: $(EXT)
	@$(PYTHON) tests/run_notebook.py ./$(EXT)

# Concurrency and interruption (tests/c/test_threads.c): four connections
# scanning one tree at once agree; sqlite3_interrupt() and a progress handler
# stop long scans within 100 ms; nothing is left open.  `make tsan` runs it
# under ThreadSanitizer.
THREADS_MB     ?= 20
THREADS_CORPUS  = dist/threads/corpus-$(THREADS_MB)mb
TSAN_FLAGS     := -O1 -g -fsanitize=thread

dist/threads/test_threads: tests/c/test_threads.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/threads
	$(CC) $(ALLFLAGS) -DSQLITE_CORE -Iext -o $@ tests/c/test_threads.c $(SRCS) \
	  -lsqlite3 $(LIBS)

test-threads: dist/threads/test_threads
	@sh tests/c/make_corpus.sh $(THREADS_CORPUS) $(THREADS_MB)
	@./dist/threads/test_threads $(THREADS_CORPUS) fixtures/demo

dist/tsan/test_threads: tests/c/test_threads.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/tsan
	$(CC) -std=c11 -pthread $(WARN) $(CPPFLAGS) $(TSAN_FLAGS) -DSQLITE_CORE -Iext \
	  -o $@ tests/c/test_threads.c $(SRCS) -lsqlite3 $(LIBS)

tsan: dist/tsan/test_threads
	@sh tests/c/make_corpus.sh $(THREADS_CORPUS) $(THREADS_MB)
	@TSAN_OPTIONS='exitcode=66 second_deadlock_stack=1' \
	  ./dist/tsan/test_threads $(THREADS_CORPUS) fixtures/demo

# The same tests against the portable code paths: no SSE2 (SWAR string
# scanning) and no libdeflate (zlib only).
PORTABLE_EXT := dist/portable/cloudtrail.$(SOEXT)
PORTABLE_FLAGS := -std=c11 -fPIC -pthread $(WARN) -DCT_VERSION='"$(VERSION)"' \
                  -DCT_NO_SIMD -DCT_HAVE_CRYPTO=1 $(CFLAGS)
$(PORTABLE_EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/portable
	$(CC) $(PORTABLE_FLAGS) $(SOFLAG) -o $@ $(SRCS) -lcrypto -lmaxminddb -lpcre2-8 -lm -lz -pthread

dist/portable/test_unit: tests/c/test_unit.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/portable
	$(CC) $(PORTABLE_FLAGS) -DSQLITE_CORE -Iext -o $@ tests/c/test_unit.c $(SRCS) \
	  -lsqlite3 -lcrypto -lmaxminddb -lpcre2-8 -lm -lz -pthread

# The extension built without libcrypto: tests/test_validate.sh checks that
# its crypto-backed functions fail with a clear message.
$(NOCRYPTO_EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/nocrypto
	$(CC) -std=c11 -fPIC -pthread $(WARN) -DCT_VERSION='"$(VERSION)"' $(CFLAGS) \
	  $(SOFLAG) -o $@ $(SRCS) -lmaxminddb -lpcre2-8 -lm -lz -pthread

test-portable: $(PORTABLE_EXT) dist/portable/test_unit
	@sh tests/run_sql.sh ./$(PORTABLE_EXT)
	@./dist/portable/test_unit

$(ASAN_EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/asan
	$(CC) -std=c11 -fPIC $(WARN) $(CPPFLAGS) $(ASAN_FLAGS) $(SOFLAG) -o $@ $(SRCS) $(LIBS)

dist/asan/test_unit: tests/c/test_unit.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/asan
	$(CC) -std=c11 $(WARN) $(CPPFLAGS) $(ASAN_FLAGS) -DSQLITE_CORE -Iext -o $@ \
	  tests/c/test_unit.c $(SRCS) -lsqlite3 $(LIBS)

dist/asan/test_oom: tests/c/test_oom.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/asan
	$(CC) -std=c11 $(WARN) $(CPPFLAGS) $(ASAN_FLAGS) -DSQLITE_CORE -Iext -o $@ \
	  tests/c/test_oom.c $(SRCS) -lsqlite3 $(LIBS)

asan: $(ASAN_EXT) dist/asan/test_unit dist/asan/test_oom
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LD_PRELOAD=$(ASAN_RT) sh tests/run_sql.sh ./$(ASAN_EXT)
	@ASAN_OPTIONS=detect_leaks=1 ./dist/asan/test_unit
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ./dist/asan/test_oom
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  SQLITE3="env LD_PRELOAD=$(ASAN_RT) $(SQLITE3)" bash tests/test_validate.sh ./$(ASAN_EXT)

# The SQL suite under valgrind: any memory error or definite leak is printed,
# so the expected-output comparison fails.
VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite
valgrind: $(EXT)
	@SQLITE3="$(VALGRIND) $(SQLITE3)" sh tests/run_sql.sh ./$(EXT)

# Fuzzing: libFuzzer harnesses in tests/fuzz/ (docs/reliability.md).
# Needs clang-14 and libclang-rt-14-dev; llvm-14 adds a line-coverage report.
FUZZ_SECONDS ?= 60
fuzz:
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# CI: 20 s per harness, no coverage report.
fuzz-short:
	@FUZZ_COVERAGE=0 bash tests/fuzz/run.sh 20

# Optional: compare with an independent parse of the datasets in ../shared.
conformance: $(EXT)
	@$(PYTHON) tests/conformance.py --ext ./$(EXT) --datasets ../shared/datasets
	@$(PYTHON) tests/ecs_conformance.py --ext ./$(EXT) --shared ../shared
	@$(PYTHON) tests/rules_conformance.py --ext ./$(EXT) --shared ../shared

# make install [PREFIX=/usr/local] [DESTDIR=…]: the loadable into
# $(PREFIX)/lib/sqlite3/, the SQL scripts and the docs into
# $(PREFIX)/share/sqlite-cloudtrail/.  make uninstall removes exactly those.
PREFIX   ?= /usr/local
LIBDIR    = $(DESTDIR)$(PREFIX)/lib/sqlite3
SHAREDIR  = $(DESTDIR)$(PREFIX)/share/sqlite-cloudtrail
SQL_FILES = $(wildcard sql/*.sql)
SQL_OTHER = $(wildcard sql/duckdb/*.sql sql/athena/*.sql)
DOC_FILES = README.md LICENSE $(wildcard docs/*.md)
# The sample evidence sql/demo.sql reads, so the installed demo runs from
# $(SHAREDIR): cd there, then sqlite3 -cmd '.load …' < sql/demo.sql.
DEMO_FILES = $(shell find fixtures/demo -type f | LC_ALL=C sort)

install: $(EXT)
	install -d $(LIBDIR) $(SHAREDIR)/sql/duckdb $(SHAREDIR)/sql/athena $(SHAREDIR)/docs
	install -m 644 $(EXT) $(LIBDIR)/
	install -m 644 $(SQL_FILES) $(SHAREDIR)/sql/
	for f in $(SQL_OTHER); do install -m 644 $$f $(SHAREDIR)/$$f || exit 1; done
	install -m 644 $(DOC_FILES) $(SHAREDIR)/docs/
	for f in $(DEMO_FILES); do install -D -m 644 $$f $(SHAREDIR)/$$f || exit 1; done

uninstall:
	rm -f $(LIBDIR)/cloudtrail.$(SOEXT)
	rm -f $(addprefix $(SHAREDIR)/sql/,$(notdir $(SQL_FILES)))
	rm -f $(addprefix $(SHAREDIR)/,$(SQL_OTHER))
	rm -f $(addprefix $(SHAREDIR)/docs/,$(notdir $(DOC_FILES)))
	rm -f $(addprefix $(SHAREDIR)/,$(DEMO_FILES))
	-find $(SHAREDIR)/fixtures -depth -type d -empty -delete 2>/dev/null
	-rmdir $(SHAREDIR)/sql/duckdb $(SHAREDIR)/sql/athena $(SHAREDIR)/sql $(SHAREDIR)/docs $(SHAREDIR) $(LIBDIR) 2>/dev/null

# Install into a temporary DESTDIR, load the installed copy, uninstall, and
# check nothing is left.
test-install:
	@rm -rf dist/destdir
	@$(MAKE) -s install DESTDIR=$(CURDIR)/dist/destdir PREFIX=/usr >/dev/null
	@test "$$($(SQLITE3) -init /dev/null :memory: -cmd '.load dist/destdir/usr/lib/sqlite3/cloudtrail' \
	  'SELECT cloudtrail_version()')" = "$(VERSION)" || { echo "install: the installed library does not load"; exit 1; }
	@test -f dist/destdir/usr/share/sqlite-cloudtrail/sql/ec2_console_login.sql || { echo "install: sql missing"; exit 1; }
	@test -f dist/destdir/usr/share/sqlite-cloudtrail/sql/duckdb/ec2_console_login.sql || { echo "install: sql/duckdb missing"; exit 1; }
	@grep -q "MIT License" dist/destdir/usr/share/sqlite-cloudtrail/docs/LICENSE || { echo "install: LICENSE missing"; exit 1; }
	@# regression: the installed demo.sql could not run (relative .read and fixtures/demo)
	@$(SQLITE3) -batch -init /dev/null :memory: -cmd '.load ./$(EXT)' -cmd '.mode box' \
	  < sql/demo.sql > dist/demo.expected 2>&1
	@cd dist/destdir/usr/share/sqlite-cloudtrail && $(SQLITE3) -batch -init /dev/null :memory: \
	  -cmd '.load $(CURDIR)/dist/destdir/usr/lib/sqlite3/cloudtrail' -cmd '.mode box' \
	  < sql/demo.sql > $(CURDIR)/dist/demo.installed 2>&1
	@cmp -s dist/demo.expected dist/demo.installed || { echo "install: the installed demo differs:"; \
	  diff dist/demo.expected dist/demo.installed | head -20; exit 1; }
	@$(MAKE) -s uninstall DESTDIR=$(CURDIR)/dist/destdir PREFIX=/usr >/dev/null
	@test -z "$$(find dist/destdir -type f)" || { echo "install: uninstall left files:"; find dist/destdir -type f; exit 1; }
	@echo "install: 3 passed, 0 failed"

clean:
	rm -rf dist

# The benchmark: ours against zcat/zlib, JSON1, jq, Python and DuckDB on a
# generated corpus (BENCH_MB, default 100; BENCH_RUNS, default 5).  See bench/run.sh.
.PHONY: bench
bench:
	bash bench/run.sh
