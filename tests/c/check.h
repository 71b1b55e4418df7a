/* Test helpers shared by the C host scenarios: a CHECK macro that counts, and tiny JSON probes. */
#ifndef VCS_TEST_CHECK_H
#define VCS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, what)                                                       \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            fprintf(stderr, "FAILED: %s (line %d)\n", what, __LINE__);          \
        }                                                                       \
    } while (0)

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* Copies the string value of the first "key":"..." at or after `from` into buf. */
static int json_string(const char *from, const char *key, char *buf, size_t len) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = from ? strstr(from, pattern) : NULL;
    if (!p) return 0;
    p += strlen(pattern);
    const char *end = strchr(p, '"');
    if (!end || (size_t)(end - p) >= len) return 0;
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return 1;
}

#endif
