/*
 * inflate_whole.c — the decompression floor of the extension's fast path
 * for `make bench`: every .gz file below the directories (or the files)
 * named on the command line is read whole and inflated whole with
 * libdeflate, into a buffer sized by the gzip trailer, as ext/ct_stream.c
 * does for files up to 4 MiB; the output is discarded and the total number
 * of uncompressed bytes printed.  Exits 1 on any error.
 *
 *     cc -O2 -o dist/bench/inflate_whole bench/inflate_whole.c -ldeflate
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct libdeflate_decompressor *dec;
static unsigned char *in, *out;
static size_t in_cap, out_cap;

/* Grow *buf to at least n bytes. */
static int reserve(unsigned char **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 0;
    free(*buf);
    *buf = malloc(n);
    *cap = *buf ? n : 0;
    return *buf ? 0 : -1;
}

/* Inflate one file whole, every member, adding to *total.  0 on success. */
static int inflate_file(const char *path, unsigned long long *total)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    size_t n, pos = 0, isize;
    if (!f || fstat(fileno(f), &st) != 0 || st.st_size < 18) {
        fprintf(stderr, "inflate_whole: %s: cannot read\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    n = (size_t)st.st_size;
    if (reserve(&in, &in_cap, n) || fread(in, 1, n, f) != n) {
        fclose(f);
        fprintf(stderr, "inflate_whole: %s: short read\n", path);
        return -1;
    }
    fclose(f);
    isize = (size_t)in[n-4] | (size_t)in[n-3] << 8 | (size_t)in[n-2] << 16
          | (size_t)in[n-1] << 24;
    if (reserve(&out, &out_cap, isize + 1))
        return -1;
    while (pos < n) {
        size_t used = 0, made = 0;
        if (libdeflate_gzip_decompress_ex(dec, in + pos, n - pos, out, out_cap,
                                          &used, &made) != LIBDEFLATE_SUCCESS) {
            fprintf(stderr, "inflate_whole: %s: libdeflate failed\n", path);
            return -1;
        }
        pos += used;
        *total += made;
    }
    return 0;
}

static int walk(const char *path, unsigned long long *total)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        int rc = 0;
        if (!d)
            return -1;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            char sub[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rc = walk(sub, total);
        }
        closedir(d);
        return rc;
    }
    size_t len = strlen(path);
    if (len > 3 && strcmp(path + len - 3, ".gz") == 0)
        return inflate_file(path, total);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long total = 0;
    int i;
    dec = libdeflate_alloc_decompressor();
    if (!dec)
        return 1;
    for (i = 1; i < argc; i++)
        if (walk(argv[i], &total) != 0)
            return 1;
    printf("%llu\n", total);
    return 0;
}
