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
ALLFLAGS := -std=c11 -fPIC -pthread $(WARN) $(CPPFLAGS) $(CFLAGS)
SRCS     := $(wildcard ext/*.c)
HDRS     := $(wildcard ext/*.h)
EXT      := dist/cloudtrail.$(SOEXT)
SQLITE3  ?= sqlite3
PYTHON   ?= /usr/bin/python3

# Sanitizer build: the same sources, loaded into the stock sqlite3 shell
# with the ASan runtime preloaded so every report reaches stderr.
ASAN_EXT   := dist/asan/cloudtrail.$(SOEXT)
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
ASAN_RT     = $(shell $(CC) -print-file-name=libasan.so)

.PHONY: all demo test test-sql test-c test-oracle asan conformance clean

all: $(EXT)

$(EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist
	$(CC) $(ALLFLAGS) $(SOFLAG) -o $@ $(SRCS) -lz -pthread

# The C unit tests link the sources statically (-DSQLITE_CORE) against the
# system libsqlite3.
dist/test_unit: tests/c/test_unit.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist
	$(CC) $(ALLFLAGS) -DSQLITE_CORE -Iext -o $@ tests/c/test_unit.c $(SRCS) -lsqlite3 -lz -pthread

demo: $(EXT)
	@$(SQLITE3) -batch -init /dev/null :memory: \
	  -cmd '.load ./$(EXT)' -cmd '.mode box' < sql/demo.sql

test: $(EXT) dist/test_unit
	@sh tests/run_sql.sh ./$(EXT)
	@./dist/test_unit
	@$(PYTHON) tests/conformance.py --ext ./$(EXT) --fixtures

$(ASAN_EXT): $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/asan
	$(CC) -std=c11 -fPIC $(WARN) $(CPPFLAGS) $(ASAN_FLAGS) $(SOFLAG) -o $@ $(SRCS) -lz -pthread

dist/asan/test_unit: tests/c/test_unit.c $(SRCS) $(HDRS) VERSION
	@mkdir -p dist/asan
	$(CC) -std=c11 $(WARN) $(CPPFLAGS) $(ASAN_FLAGS) -DSQLITE_CORE -Iext -o $@ \
	  tests/c/test_unit.c $(SRCS) -lsqlite3 -lz -pthread

asan: $(ASAN_EXT) dist/asan/test_unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LD_PRELOAD=$(ASAN_RT) sh tests/run_sql.sh ./$(ASAN_EXT)
	@ASAN_OPTIONS=detect_leaks=1 ./dist/asan/test_unit

# Optional: compare with an independent parse of the datasets in ../shared.
conformance: $(EXT)
	@$(PYTHON) tests/conformance.py --ext ./$(EXT) --datasets ../shared/datasets

clean:
	rm -rf dist

