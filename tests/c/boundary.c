/*
 * What a careless or hostile host does at the boundary, in C, run plainly, under
 * AddressSanitizer and under valgrind: double frees and foreign pointers given to
 * vcs_string_free, stale handles, a fork, and cursors (whole listings, early frees, a cancel
 * from another thread while a page hangs, bad input).
 * Usage: boundary URL API_TOKEN   (the emulator holding at least 300 users)
 */
#include "vcs_native.h"
#include "check.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Sends a request with a JSON body (or none) to the emulator's control API; returns the status. */
static int control(const char *url, const char *method, const char *path, const char *body) {
    const char *hostport = strstr(url, "://");
    if (!hostport) return -1;
    const char *colon = strrchr(hostport + 3, ':');
    if (!colon) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(colon + 1));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     method, path, body ? strlen(body) : 0, body ? body : "");
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    char resp[256] = {0};
    ssize_t got = read(fd, resp, sizeof resp - 1);
    close(fd);
    int status = -1;
    if (got > 12) sscanf(resp, "HTTP/1.1 %d", &status);
    return status;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static size_t count_objects(const char *json) {
    size_t n = 0;
    for (const char *p = json; (p = strstr(p, "\"uid\":")) != NULL; p++) n++;
    return n;
}

static VcsConnection *connect_to(const char *options) {
    VcsConnection *conn = NULL;
    char *json = NULL;
    VcsStatus s = vcs_connect(options, &conn, &json);
    CHECK(s == VCS_OK, "connect");
    vcs_string_free(json);
    return conn;
}

static void answers_are_freed_once(VcsConnection *conn) {
    char *json = NULL;
    CHECK(vcs_connection_info(conn, &json) == VCS_OK, "info");
    vcs_string_free(json);
    vcs_string_free(json); /* a double free: ignored */
    char *mine = malloc(32);
    strcpy(mine, "the host's own string");
    vcs_string_free(mine); /* not the library's: ignored, so the host may still use and free it */
    CHECK(strcmp(mine, "the host's own string") == 0, "a foreign string is left alone");
    free(mine);
    char stack[] = "on the stack";
    vcs_string_free(stack);
    CHECK(vcs_connection_info(conn, &json) == VCS_OK, "info");
    vcs_string_free(json + 1); /* inside an answer: ignored */
    vcs_string_free(json);
}

static void stale_handles_are_refused(const char *options) {
    VcsConnection *a = connect_to(options);
    CHECK(vcs_disconnect(a) == VCS_OK, "disconnect a");
    VcsConnection *b = connect_to(options);
    CHECK(a != b, "a new connection gets a new handle");
    char *json = NULL;
    CHECK(vcs_connection_info(a, &json) == VCS_INVALID_ARGUMENT, "a stale handle is refused");
    vcs_string_free(json);
    CHECK(vcs_disconnect(a) == VCS_INVALID_ARGUMENT, "disconnecting a stale handle is refused");
    CHECK(vcs_connection_info(b, &json) == VCS_OK, "the newer connection is untouched");
    vcs_string_free(json);
    CHECK(vcs_disconnect(b) == VCS_OK, "disconnect b");
}

static void a_forked_child_gets_an_error_not_a_hang(VcsConnection *conn) {
    /* The child's verdict comes through a pipe, not its exit status: a memory checker may
       change the status of a child that never frees what its parent's threads owned. */
    int verdict[2];
    CHECK(pipe(verdict) == 0, "pipe");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a hang kills the child before it writes its verdict */
        close(verdict[0]);
        char *json = NULL;
        VcsStatus s = vcs_connection_info(conn, &json);
        int ok = s == VCS_INTERNAL && contains(json, "forked");
        vcs_string_free(json);
        VcsCursor *cur = NULL;
        s = vcs_get_users_open(conn, NULL, &cur, &json);
        ok = ok && s == VCS_INTERNAL && cur == NULL;
        vcs_string_free(json);
        ok = ok && vcs_disconnect(conn) == VCS_INTERNAL;
        char answer = ok ? 'y' : 'n';
        ssize_t ignored = write(verdict[1], &answer, 1);
        (void)ignored;
        _exit(0);
    }
    close(verdict[1]);
    char answer = 0;
    CHECK(pid > 0 && read(verdict[0], &answer, 1) == 1, "the forked child answered instead of hanging");
    CHECK(answer == 'y', "the forked child got an error from every call");
    close(verdict[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid, "the child ended");
    char *json = NULL;
    CHECK(vcs_connection_info(conn, &json) == VCS_OK, "the parent's connection still works after the fork");
    vcs_string_free(json);
}

static void cursors_list_everything_and_stop_early(VcsConnection *conn) {
    char *json = NULL;
    CHECK(vcs_get_users(conn, NULL, &json) == VCS_OK, "one-shot listing");
    size_t expected = count_objects(json);
    vcs_string_free(json);

    VcsCursor *cur = NULL;
    CHECK(vcs_get_users_open(conn, NULL, &cur, &json) == VCS_OK && cur != NULL, "open");
    vcs_string_free(json);
    size_t listed = 0, pages = 0;
    for (;;) {
        const char *items = NULL;
        size_t len = 0;
        VcsStatus s = vcs_cursor_next(cur, &items, &len, &json);
        vcs_string_free(json);
        if (s != VCS_OK) {
            CHECK(0, "next");
            break;
        }
        if (len == 0) break;
        CHECK(items[0] == '[' && items[len - 1] == ']' && items[len] == '\0', "a page is a JSON array");
        listed += count_objects(items);
        pages++;
    }
    CHECK(listed == expected && expected >= 300, "the cursor lists what the one-shot call does");
    CHECK(pages >= 3, "page by page");
    vcs_cursor_free(cur);

    /* Read one page, free the cursor while pages are being fetched ahead. */
    CHECK(vcs_get_users_open(conn, "{\"name\": \"*\"}", &cur, &json) == VCS_OK, "open with a filter");
    vcs_string_free(json);
    const char *items = NULL;
    size_t len = 0;
    CHECK(vcs_cursor_next(cur, &items, &len, &json) == VCS_OK && len > 0, "first page");
    vcs_string_free(json);
    vcs_cursor_free(cur);
    /* A freed cursor: refused, not used; cancelling or freeing it again is ignored. */
    CHECK(vcs_cursor_next(cur, &items, &len, &json) == VCS_INVALID_ARGUMENT && items == NULL && len == 0, "freed cursor refused");
    CHECK(contains(json, "\"field\":\"cursor\""), "the error names the cursor");
    vcs_string_free(json);
    CHECK(vcs_cursor_progress(cur, &json) == VCS_INVALID_ARGUMENT, "progress of a freed cursor refused");
    vcs_string_free(json);
    vcs_cursor_cancel(cur);
    vcs_cursor_free(cur);
}

static void bad_input_is_refused(VcsConnection *conn) {
    char *json = NULL;
    VcsCursor *cur = (VcsCursor *)0x1;
    const char *filters[] = {"{\"name\": []}", "{\"email\": null}", "{\"id\": []}", "{", "[]", "{\"nmae\": \"x\"}", "\"x\""};
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        cur = (VcsCursor *)0x1;
        CHECK(vcs_get_users_open(conn, filters[i], &cur, &json) == VCS_INVALID_ARGUMENT && cur == NULL, filters[i]);
        vcs_string_free(json);
        CHECK(vcs_get_user_invitations_open(conn, filters[i], &cur, &json) == VCS_INVALID_ARGUMENT && cur == NULL, filters[i]);
        vcs_string_free(json);
    }
    CHECK(vcs_get_users(conn, "{\"name\": []}", &json) == VCS_INVALID_ARGUMENT, "the one-shot call refuses an empty filter too");
    vcs_string_free(json);
    CHECK(vcs_get_users_open(NULL, NULL, &cur, &json) == VCS_INVALID_ARGUMENT, "NULL connection");
    vcs_string_free(json);
    CHECK(vcs_get_users_open(conn, NULL, NULL, &json) == VCS_INVALID_ARGUMENT && contains(json, "\"out\""), "NULL out");
    vcs_string_free(json);
    CHECK(vcs_get_users_open(conn, NULL, &cur, NULL) == VCS_INVALID_ARGUMENT, "NULL out_json");
    CHECK(vcd_get_users_open((const VcdConnection *)conn, NULL, &cur, &json) == VCS_INVALID_ARGUMENT, "a CSP connection as a Cloud Director one");
    vcs_string_free(json);

    const char *items = NULL;
    size_t len = 0;
    CHECK(vcs_cursor_next(NULL, &items, &len, &json) == VCS_INVALID_ARGUMENT, "NULL cursor");
    vcs_string_free(json);
    CHECK(vcs_cursor_next((VcsCursor *)conn, &items, &len, &json) == VCS_INVALID_ARGUMENT, "a connection as a cursor");
    vcs_string_free(json);
    CHECK(vcs_cursor_next((VcsCursor *)&len, &items, &len, &json) == VCS_INVALID_ARGUMENT, "a foreign pointer as a cursor");
    vcs_string_free(json);
    vcs_cursor_cancel(NULL);
    vcs_cursor_free(NULL);
    vcs_cursor_cancel((VcsCursor *)&len);
    vcs_cursor_free((VcsCursor *)conn); /* not a cursor: ignored, the connection lives on */
    CHECK(vcs_connection_info(conn, &json) == VCS_OK, "the connection survived being passed as a cursor");
    vcs_string_free(json);

    CHECK(vcs_get_users_open(conn, NULL, &cur, &json) == VCS_OK, "open");
    vcs_string_free(json);
    CHECK(vcs_cursor_next(cur, NULL, &len, &json) == VCS_INVALID_ARGUMENT && contains(json, "items"), "NULL items");
    vcs_string_free(json);
    CHECK(vcs_cursor_next(cur, &items, NULL, &json) == VCS_INVALID_ARGUMENT && contains(json, "len"), "NULL len");
    vcs_string_free(json);
    CHECK(vcs_cursor_next(cur, &items, &len, NULL) == VCS_INVALID_ARGUMENT, "NULL out_json");
    CHECK(vcs_cursor_progress(cur, NULL) == VCS_INVALID_ARGUMENT, "NULL out_json for progress");
    CHECK(vcs_cursor_next(cur, &items, &len, &json) == VCS_OK && len > 0, "the cursor works after refused calls");
    vcs_string_free(json);
    vcs_cursor_free(cur);
}

struct reader {
    VcsCursor *cur;
    VcsStatus status;
    double returned_at;
};

static void *read_next(void *arg) {
    struct reader *r = arg;
    const char *items = NULL;
    size_t len = 0;
    char *json = NULL;
    r->status = vcs_cursor_next(r->cur, &items, &len, &json);
    r->returned_at = now_ms();
    vcs_string_free(json);
    return NULL;
}

static void a_cancel_from_another_thread_ends_a_hanging_wait(const char *url, VcsConnection *conn) {
    CHECK(control(url, "POST", "/_emulator/faults",
                  "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/v2/orgs/*/users\", \"latencyMs\": 20000}") / 100 == 2,
          "latency fault");
    VcsCursor *cur = NULL;
    char *json = NULL;
    CHECK(vcs_get_users_open(conn, NULL, &cur, &json) == VCS_OK, "open");
    vcs_string_free(json);
    struct reader r = {cur, VCS_OK, 0};
    pthread_t t;
    pthread_create(&t, NULL, read_next, &r);
    usleep(300 * 1000);
    CHECK(vcs_cursor_progress(cur, &json) == VCS_OK && contains(json, "\"read\":0"), "progress while the reader waits");
    vcs_string_free(json);
    double cancelled_at = now_ms();
    vcs_cursor_cancel(cur);
    pthread_join(t, NULL);
    CHECK(r.status == VCS_CANCELLED, "the waiting reader got VCS_CANCELLED");
    double waited = r.returned_at - cancelled_at;
    printf("next returned %.1f ms after the cancel\n", waited);
    CHECK(waited < 100.0, "within 100 ms");
    vcs_cursor_free(cur);
    CHECK(control(url, "DELETE", "/_emulator/faults", NULL) / 100 == 2, "faults cleared");
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: boundary URL API_TOKEN\n");
        return 2;
    }
    (void)json_string; /* shared helper, unused here */
    char options[2048];
    snprintf(options, sizeof options, "{\"server\": \"%s\", \"apiToken\": \"%s\", \"pageSize\": 100, \"timeoutSeconds\": 60}", argv[1], argv[2]);
    VcsConnection *conn = connect_to(options);
    answers_are_freed_once(conn);
    stale_handles_are_refused(options);
    cursors_list_everything_and_stop_early(conn);
    bad_input_is_refused(conn);
    a_cancel_from_another_thread_ends_a_hanging_wait(argv[1], conn);
    a_forked_child_gets_an_error_not_a_hang(conn);
    CHECK(vcs_disconnect(conn) == VCS_OK, "disconnect");
    printf("%d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
