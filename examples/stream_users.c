/*
 * Lists an organization's users page by page with a cursor: each page is written to stdout as
 * it arrives (together one JSON array), a progress line is kept on stderr, and Ctrl+C stops the
 * listing cleanly: the array is closed, and the program exits 130.
 *
 *   cargo build --release
 *   gcc -Iinclude examples/stream_users.c -Ltarget/release -lvcs_native -lpthread \
 *       -Wl,-rpath,"$PWD/target/release" -o stream_users
 *   VCS_SERVER=console.cloud.vmware.com VCS_API_TOKEN=... ./stream_users ['A*'] > users.json
 *
 * vcs_cursor_cancel is not async-signal-safe, so the signal handler only writes a byte to a
 * pipe; a watcher thread reads it and cancels. The same thread polls vcs_cursor_progress while
 * the main thread waits for pages.
 */
#include "vcs_native.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int wake[2]; /* the signal handler writes to wake[1]; the watcher reads wake[0] */

static void on_interrupt(int sig) {
    (void)sig;
    char byte = 1;
    ssize_t ignored = write(wake[1], &byte, 1);
    (void)ignored;
}

/* Pulls a number out of the progress JSON ("read", "total"); -1 when absent or null. */
static long field(const char *json, const char *key) {
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = json ? strstr(json, pattern) : NULL;
    if (!p || p[strlen(pattern)] == 'n') return -1;
    return strtol(p + strlen(pattern), NULL, 10);
}

static void show_progress(VcsCursor *cursor) {
    char *json = NULL;
    if (vcs_cursor_progress(cursor, &json) == VCS_OK) {
        long read = field(json, "read"), total = field(json, "total");
        if (total >= 0) {
            fprintf(stderr, "\rlisted %ld of %ld users", read, total);
        } else {
            fprintf(stderr, "\rlisted %ld users", read);
        }
    }
    vcs_string_free(json);
}

/* Shows the progress every 200 ms; cancels the cursor when the signal handler wakes it; ends
   when the main thread closes the pipe. */
static void *watch(void *arg) {
    VcsCursor *cursor = arg;
    struct pollfd p = {wake[0], POLLIN, 0};
    for (;;) {
        int ready = poll(&p, 1, 200);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
            show_progress(cursor);
            continue;
        }
        char byte;
        if (read(wake[0], &byte, 1) == 1 && byte == 1) {
            vcs_cursor_cancel(cursor);
            continue; /* the main thread sees VCS_CANCELLED and closes the pipe */
        }
        return NULL;
    }
}

int main(int argc, char **argv) {
    const char *server = getenv("VCS_SERVER");
    const char *token = getenv("VCS_API_TOKEN");
    if (!token) {
        fprintf(stderr, "set VCS_API_TOKEN (and VCS_SERVER for anything but the public service)\n");
        return 2;
    }
    /* Real code should escape the values or use a JSON library. */
    char options[4096], filter[512];
    snprintf(options, sizeof options, "{\"server\": \"%s\", \"apiToken\": \"%s\"}", server ? server : "console.cloud.vmware.com", token);
    snprintf(filter, sizeof filter, "{\"name\": \"%s\"}", argc > 1 ? argv[1] : "*");

    VcsConnection *conn = NULL;
    char *json = NULL;
    VcsStatus status = vcs_connect(options, &conn, &json);
    if (status != VCS_OK) {
        fprintf(stderr, "connect failed (status %d): %s\n", (int)status, json);
        vcs_string_free(json);
        return 1;
    }
    vcs_string_free(json);

    VcsCursor *cursor = NULL;
    status = vcs_get_users_open(conn, argc > 1 ? filter : NULL, &cursor, &json);
    if (status != VCS_OK) {
        fprintf(stderr, "listing failed (status %d): %s\n", (int)status, json);
        vcs_string_free(json);
        vcs_disconnect(conn);
        return 1;
    }
    vcs_string_free(json);

    if (pipe(wake) != 0) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    pthread_t watcher;
    pthread_create(&watcher, NULL, watch, cursor);

    long listed = 0;
    int first = 1;
    fputs("[", stdout);
    for (;;) {
        const char *items = NULL;
        size_t len = 0;
        status = vcs_cursor_next(cursor, &items, &len, &json);
        if (status != VCS_OK) {
            if (status != VCS_CANCELLED) fprintf(stderr, "\nlisting failed (status %d): %s\n", (int)status, json);
            vcs_string_free(json);
            break;
        }
        listed += field(json, "count");
        vcs_string_free(json);
        if (len == 0) break;
        /* Each page is a JSON array: write its objects, without the brackets, into ours. */
        if (!first) fputs(",", stdout);
        fwrite(items + 1, 1, len - 2, stdout);
        fflush(stdout);
        first = 0;
    }
    fputs("]\n", stdout);
    fflush(stdout);

    close(wake[1]);
    pthread_join(watcher, NULL);
    close(wake[0]);
    show_progress(cursor);
    if (status == VCS_CANCELLED) {
        fprintf(stderr, "\ncancelled after %ld users\n", listed);
    } else {
        fprintf(stderr, "\n");
    }
    vcs_cursor_free(cursor);
    vcs_disconnect(conn);
    return status == VCS_OK ? 0 : status == VCS_CANCELLED ? 130 : 1;
}
