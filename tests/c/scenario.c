/*
 * The C host scenario: drives every function of the C ABI against a running emulator.
 * Usage: scenario URL API_TOKEN
 * Exits 0 only if every check passed; prints each failed check.
 */
#include "vcs_native.h"
#include "check.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* POST to the emulator's control API over a plain socket; returns the HTTP status. */
static int control_post(const char *url, const char *path) {
    const char *hostport = strstr(url, "://");
    if (!hostport) return -1;
    hostport += 3;
    const char *colon = strrchr(hostport, ':');
    if (!colon) return -1;
    int port = atoi(colon + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", path);
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

struct worker {
    VcsConnection *conn;
    int index;
    int ok;
};

/* Even workers read; odd workers invite an address and revoke the invitation again. */
static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < 4; i++) {
        char *json = NULL;
        if (w->index % 2 == 0) {
            VcsStatus s = (i % 2) ? vcs_connection_info(w->conn, &json) : vcs_get_users(w->conn, "{\"name\": \"A*\"}", &json);
            if (s == VCS_OK && json && json[0] != '\0') w->ok++;
        } else {
            char request[256];
            snprintf(request, sizeof request, "{\"emails\": [\"t%d.%d@threads.example\"], \"organizationRoles\": [\"org_member\"]}", w->index, i);
            char id[128] = {0};
            if (vcs_new_user_invitations(w->conn, request, &json) == VCS_OK && json_string(json, "id", id, sizeof id)) {
                char *revoked = NULL;
                snprintf(request, sizeof request, "{\"invitations\": [\"%s\"]}", id);
                if (vcs_remove_user_invitations(w->conn, request, &revoked) == VCS_OK) w->ok++;
                vcs_string_free(revoked);
            }
        }
        vcs_string_free(json);
    }
    return NULL;
}

/* ---- Role changes and sync (vcs_set_user_roles, vcs_plan_sync, vcs_apply_plan) ---- */

/* Wraps a plan as an apply request: {"plan": PLAN}. The caller frees the result. */
static char *apply_request(const char *plan) {
    size_t len = strlen(plan) + 16;
    char *request = malloc(len);
    if (request) snprintf(request, len, "{\"plan\": %s}", plan);
    return request;
}

static void role_and_sync_checks(VcsConnection *conn) {
    char *json = NULL;
    CHECK(vcs_set_user_roles(conn, "{\"users\": [\"ada.andersen@example.com\", \"nobody@example.com\"], \"addOrganizationRoles\": [\"developer\"]}", &json) == VCS_PARTIAL_FAILURE
              && contains(json, "\"succeeded\":1") && contains(json, "\"outcome\":\"updated\"") && contains(json, "\"email\":\"ada.andersen@example.com\""),
          "set roles: one item per user, the unknown one failed");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_set_user_roles(conn, "{\"users\": [\"ada.andersen@example.com\"], \"addOrganizationRoles\": [\"developer\"]}", &json) == VCS_OK
              && contains(json, "\"outcome\":\"unchanged\""),
          "adding a held role is reported unchanged");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_set_user_roles(conn, "{\"users\": [\"ada.andersen@example.com\"], \"addOrganizationRoles\": [\"org_king\"]}", &json) == VCS_INVALID_ARGUMENT
              && contains(json, "addOrganizationRoles[0]"),
          "an unknown role is refused, naming the field");
    vcs_string_free(json);
    json = NULL;

    const char *file = "{\"csv\": \"Email,OrganizationRoles\\nada.andersen@example.com,org_owner;developer\\nc.host@example.net,org_member\\n\"}";
    CHECK(vcs_plan_sync(conn, file, &json) == VCS_OK && contains(json, "\"action\":\"invite\"") && contains(json, "\"changes\":1"), "plan a sync");
    char *request = json ? apply_request(json) : NULL;
    vcs_string_free(json);
    json = NULL;
    CHECK(request && vcs_apply_plan(conn, request, &json) == VCS_OK && contains(json, "\"outcome\":\"invited\"") && contains(json, "\"line\":3"),
          "apply the plan, row by row");
    free(request);
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_plan_sync(conn, file, &json) == VCS_OK && contains(json, "\"changes\":0") && contains(json, "\"rows\":[]"), "a second plan is empty");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcs_plan_sync(conn, "{\"csv\": \"Email,OrganizationRoles\\nnot-mail,org_member\\n\"}", &json) == VCS_PARTIAL_FAILURE
              && contains(json, "\"action\":\"invalid\"") && contains(json, "\"field\":\"email\"") && contains(json, "\"line\":2"),
          "a bad row is invalid, by line and field");
    request = json ? apply_request(json) : NULL;
    vcs_string_free(json);
    json = NULL;
    CHECK(request && vcs_apply_plan(conn, request, &json) == VCS_INVALID_ARGUMENT && contains(json, "invalid row"), "a plan with invalid rows is not applied");
    free(request);
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_plan_sync(conn, "{\"prune\": true}", &json) == VCS_INVALID_ARGUMENT && contains(json, "csv"), "a plan needs a file");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_apply_plan(conn, "{\"plan\": {\"rows\": 3}}", &json) == VCS_INVALID_ARGUMENT && contains(json, "plan"), "a malformed plan is refused");
    vcs_string_free(json);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s URL API_TOKEN\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    const char *token = argv[2];
    char options[1024];
    char *json = NULL;
    VcsConnection *conn = NULL;

    CHECK(strcmp(vcs_version(), VCS_NATIVE_VERSION) == 0, "vcs_version matches the header");

    /* Error paths before connecting. */
    CHECK(vcs_connect("{\"server\": ", &conn, &json) == VCS_INVALID_ARGUMENT, "malformed JSON is refused");
    CHECK(contains(json, "options_json") && contains(json, "\"category\":\"invalidArgument\""), "the error names the argument");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_connect(NULL, &conn, &json) == VCS_INVALID_ARGUMENT, "NULL options are refused");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_connect("{\"apiToken\": \"x\"}", &conn, NULL) == VCS_INVALID_ARGUMENT, "NULL out_json is refused");
    CHECK(vcs_connect("{\"apiToken\": \"x\"}", NULL, &json) == VCS_INVALID_ARGUMENT, "NULL out is refused");
    CHECK(contains(json, "\"field\":\"out\""), "the error names out");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_connect("{\"apiToken\": \"x\", \"sever\": \"typo\"}", &conn, &json) == VCS_INVALID_ARGUMENT, "an unknown field is refused");
    CHECK(contains(json, "sever"), "the error names the unknown field");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_connect("[1, 2]", &conn, &json) == VCS_INVALID_ARGUMENT, "a JSON array is refused");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_connect("{\"apiToken\": \"\xff\xfe\"}", &conn, &json) == VCS_INVALID_ARGUMENT, "invalid UTF-8 is refused");
    CHECK(contains(json, "UTF-8"), "the error says UTF-8");
    vcs_string_free(json);
    json = NULL;
    snprintf(options, sizeof options, "{\"server\": \"%s\", \"apiToken\": \"wrong-token-123\", \"maxAttempts\": 1}", url);
    CHECK(vcs_connect(options, &conn, &json) == VCS_AUTHENTICATION, "a bad token is an authentication error");
    CHECK(contains(json, "\"httpStatus\":400") && contains(json, "requestId"), "the error carries the HTTP status and request id");
    CHECK(!contains(json, "wrong-token-123"), "the error does not echo the token");
    CHECK(conn == NULL, "no handle after a failed connect");
    vcs_string_free(json);
    json = NULL;

    /* Connect. */
    snprintf(options, sizeof options, "{\"server\": \"%s\", \"apiToken\": \"%s\"}", url, token);
    VcsStatus s = vcs_connect(options, &conn, &json);
    CHECK(s == VCS_OK && conn != NULL, "connects with the API token");
    CHECK(contains(json, "\"orgName\":\"Acme Cloud Operations\""), "connection info names the org");
    vcs_string_free(json);
    json = NULL;
    if (!conn) {
        fprintf(stderr, "%d passed, %d failed\n", passed, failed);
        return 1;
    }

    CHECK(vcs_connection_info(conn, &json) == VCS_OK && contains(json, "\"authType\":\"ApiToken\""), "connection info");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcs_get_organization_roles(conn, NULL, &json) == VCS_OK && contains(json, "\"org_owner\"") && contains(json, "\"developer\""), "organization roles");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_get_services(conn, "{\"name\": \"*Cloud on AWS\"}", &json) == VCS_OK && contains(json, "ybUdoTC05kYFC9ZG560kpsn0I8M_"), "services by name");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_get_service_roles(conn, "{\"service\": \"VMware Cloud on AWS\"}", &json) == VCS_OK && contains(json, "nsx:cloud_admin"), "service roles of a service");
    vcs_string_free(json);
    json = NULL;

    /* Invite three, accept one through the control API, find the new user, remove them. */
    const char *invite =
        "{\"emails\": [\"c.one@host.example\", \"c.two@host.example\", \"not-an-email\"],"
        " \"organizationRoles\": [\"org_member\"],"
        " \"serviceRoles\": [{\"service\": \"VMware Cloud on AWS\", \"roles\": [\"nsx:cloud_auditor\"]}]}";
    s = vcs_new_user_invitations(conn, invite, &json);
    CHECK(s == VCS_PARTIAL_FAILURE, "a bad email makes the bulk call partial");
    CHECK(contains(json, "\"succeeded\":2") && contains(json, "\"failed\":1") && contains(json, "emails[2]"), "the report accounts for each email");
    char invitation_id[128] = {0};
    const char *first = json ? strstr(json, "\"outcome\":\"invited\"") : NULL;
    CHECK(json_string(first, "id", invitation_id, sizeof invitation_id), "the report carries the invitation id");
    vcs_string_free(json);
    json = NULL;

    char path[256];
    snprintf(path, sizeof path, "/_emulator/invitations/%s/accept", invitation_id);
    CHECK(control_post(url, path) == 200, "the emulator accepts the invitation");

    CHECK(vcs_get_user_invitations(conn, "{\"name\": \"c.*@host.example\", \"status\": \"Available\"}", &json) == VCS_OK && contains(json, "c.two@host.example") && !contains(json, "c.one@host.example"),
          "pending invitations");
    char pending_id[128] = {0};
    CHECK(json_string(json, "id", pending_id, sizeof pending_id), "a pending invitation id");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcs_get_users(conn, "{\"email\": \"c.one@host.example\"}", &json) == VCS_OK && contains(json, "\"name\":\"C One\""), "the invited person is now a user");
    char user_id[160] = {0};
    CHECK(json_string(json, "id", user_id, sizeof user_id), "the user's id");
    vcs_string_free(json);
    json = NULL;

    char request[512];
    snprintf(request, sizeof request, "{\"users\": [\"%s\", \"nobody@nowhere.example\"]}", user_id);
    s = vcs_remove_users(conn, request, &json);
    CHECK(s == VCS_PARTIAL_FAILURE && contains(json, "\"outcome\":\"removed\"") && contains(json, "\"category\":\"notFound\""), "remove: one removed, one unknown");
    vcs_string_free(json);
    json = NULL;

    snprintf(request, sizeof request, "{\"invitations\": [\"%s\"]}", pending_id);
    CHECK(vcs_remove_user_invitations(conn, request, &json) == VCS_OK && contains(json, "\"revoked\""), "revoke the pending invitation");
    vcs_string_free(json);
    json = NULL;

    /* Bad input on a live connection. */
    CHECK(vcs_get_users(conn, "{\"name\": 5}", &json) == VCS_INVALID_ARGUMENT && contains(json, "name"), "a wrong type names the field");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_get_users(NULL, NULL, &json) == VCS_INVALID_ARGUMENT && contains(json, "connection"), "a NULL connection is refused");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_remove_users(conn, NULL, &json) == VCS_INVALID_ARGUMENT, "a NULL request is refused");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcs_remove_users(conn, "{\"users\": []}", &json) == VCS_INVALID_ARGUMENT, "an empty user list is refused");
    vcs_string_free(json);
    json = NULL;

    /* 16 threads share one connection, reading and writing. */
    enum { THREADS = 16 };
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].conn = conn;
        workers[i].index = i;
        workers[i].ok = 0;
        pthread_create(&threads[i], NULL, work, &workers[i]);
    }
    int all_ok = 1;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].ok != 4) {
            all_ok = 0;
            fprintf(stderr, "worker %d: %d of 4 calls succeeded\n", i, workers[i].ok);
        }
    }
    CHECK(all_ok, "16 threads share one connection, reading and writing");
    role_and_sync_checks(conn);

    CHECK(vcs_disconnect(conn) == VCS_OK, "disconnect");
    CHECK(vcs_disconnect(conn) == VCS_INVALID_ARGUMENT, "a second disconnect is refused, not a double free");
    CHECK(vcs_connection_info(conn, &json) == VCS_INVALID_ARGUMENT, "a disconnected handle is refused");
    vcs_string_free(json);
    CHECK(vcs_disconnect(NULL) == VCS_OK, "disconnect(NULL) is a no-op");
    vcs_string_free(NULL);

    printf("C host: %d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
