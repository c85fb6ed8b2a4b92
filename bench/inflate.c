/*
 * inflate.c — the decompression floor for `make bench`.
 *
 *     cc -O2 -o dist/bench/inflate bench/inflate.c -lz
 *     dist/bench/inflate PATH...
 *
 * Inflates every .gz file named on the command line, or found below a
 * directory given there (recursively), with zlib's streaming inflate() —
 * 128 KiB input and output buffers, gzip members one after another, as the
 * extension reads them — discards the output and prints the total number of
 * uncompressed bytes.  Exits 1 on any error.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define BUF_SIZE (128 * 1024)

static unsigned char in_buf[BUF_SIZE];
static unsigned char out_buf[BUF_SIZE];

/* Inflate one file, adding its uncompressed size to *total.  0 on success. */
static int inflate_file(const char *path, unsigned long long *total)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "inflate: %s: %s\n", path, strerror(errno));
        return -1;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {   /* 15 + 16: gzip wrapper */
        fclose(f);
        fprintf(stderr, "inflate: %s: inflateInit2 failed\n", path);
        return -1;
    }

    int rc = 0, ret = Z_OK, in_member = 0;
    for (;;) {
        if (zs.avail_in == 0) {
            size_t n = fread(in_buf, 1, BUF_SIZE, f);
            if (n == 0) {
                if (ferror(f)) {
                    fprintf(stderr, "inflate: %s: read error\n", path);
                    rc = -1;
                } else if (in_member) {
                    fprintf(stderr, "inflate: %s: truncated gzip stream\n", path);
                    rc = -1;
                }
                break;
            }
            zs.next_in = in_buf;
            zs.avail_in = (uInt)n;
        }
        in_member = 1;
        zs.next_out = out_buf;
        zs.avail_out = BUF_SIZE;
        ret = inflate(&zs, Z_NO_FLUSH);
        *total += BUF_SIZE - zs.avail_out;
        if (ret == Z_STREAM_END) {
            /* End of one gzip member: another may follow (multi-member). */
            in_member = 0;
            if (inflateReset(&zs) != Z_OK) {
                rc = -1;
                break;
            }
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            fprintf(stderr, "inflate: %s: %s\n", path, zs.msg ? zs.msg : "inflate error");
            rc = -1;
            break;
        }
    }
    inflateEnd(&zs);
    fclose(f);
    return rc;
}

static int has_gz_suffix(const char *name)
{
    size_t n = strlen(name);
    return n >= 3 && strcmp(name + n - 3, ".gz") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk a directory (entries sorted), inflating every *.gz below it. */
static int walk(const char *dir, unsigned long long *total)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "inflate: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                closedir(d);
                free(names);
                return -1;
            }
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        if (!names[count]) {
            closedir(d);
            return -1;
        }
        snprintf(names[count], len, "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);

    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (rc == 0) {
            if (stat(names[i], &st) != 0) {
                fprintf(stderr, "inflate: %s: %s\n", names[i], strerror(errno));
                rc = -1;
            } else if (S_ISDIR(st.st_mode)) {
                rc = walk(names[i], total);
            } else if (S_ISREG(st.st_mode) && has_gz_suffix(names[i])) {
                rc = inflate_file(names[i], total);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.gz|DIR...\n", argv[0]);
        return 2;
    }
    unsigned long long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "inflate: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? walk(argv[i], &total) : inflate_file(argv[i], &total);
        if (rc != 0)
            return 1;
    }
    printf("%llu\n", total);
    return 0;
}
