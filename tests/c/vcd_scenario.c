/*
 * The C host scenario for Cloud Director: every vcd_ function against a running emulator.
 * Usage: vcd_scenario URL ORG USER PASSWORD
 */
#include "vcs_native.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Sync (vcd_plan_sync, vcd_apply_plan) ---- */
static void sync_checks(VcdConnection *conn) {
    char *json = NULL;
    const char *file = "{\"csv\": \"Username,Password,Role,Email\\nc.sync,c-sync-pass,vApp User,c.sync@acme.example\\n\"}";
    CHECK(vcd_plan_sync(conn, file, &json) == VCS_OK && contains(json, "\"action\":\"create\"") && !contains(json, "c-sync-pass"),
          "plan a Cloud Director sync; the plan holds no password");
    size_t len = (json ? strlen(json) : 0) + strlen(file) + 32;
    char *request = malloc(len);
    /* The apply request: the plan, and the file for the new LOCAL user's password. */
    if (request && json) snprintf(request, len, "{\"plan\": %s, \"csv\": %s", json, strstr(file, "\"Username"));
    vcs_string_free(json);
    json = NULL;
    CHECK(request && vcd_apply_plan(conn, request, &json) == VCS_OK && contains(json, "\"outcome\":\"created\""), "apply it");
    free(request);
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_plan_sync(conn, file, &json) == VCS_OK && contains(json, "\"changes\":0"), "a second plan is empty");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_plan_sync(conn, "{\"csv\": \"Username,Role\\nc.x,No Such Role\\n\"}", &json) == VCS_PARTIAL_FAILURE && contains(json, "\"field\":\"Role\""),
          "an unknown role is an invalid row");
    vcs_string_free(json);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URL ORG USER PASSWORD\n", argv[0]);
        return 2;
    }
    char options[1024];
    char *json = NULL;
    VcdConnection *conn = NULL;

    snprintf(options, sizeof options, "{\"server\": \"%s\", \"org\": \"%s\", \"username\": \"%s\", \"password\": \"not-it\", \"maxAttempts\": 1}", argv[1], argv[2], argv[3]);
    CHECK(vcd_connect(options, &conn, &json) == VCS_AUTHENTICATION && conn == NULL, "a wrong password is an authentication error");
    CHECK(!contains(json, "not-it"), "the error does not echo the password");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_connect("{\"server\": \"x\"}", &conn, &json) == VCS_INVALID_ARGUMENT && contains(json, "org"), "a missing org is named");
    vcs_string_free(json);
    json = NULL;

    snprintf(options, sizeof options, "{\"server\": \"%s\", \"org\": \"%s\", \"username\": \"%s\", \"password\": \"%s\"}", argv[1], argv[2], argv[3], argv[4]);
    CHECK(vcd_connect(options, &conn, &json) == VCS_OK && conn != NULL && contains(json, "\"org\":\"acme\""), "logs in");
    vcs_string_free(json);
    json = NULL;
    if (!conn) return 1;

    CHECK(vcd_get_roles(conn, "{\"name\": \"vApp*\"}", &json) == VCS_OK && contains(json, "vApp User") && contains(json, "vApp Author"), "roles");
    vcs_string_free(json);
    json = NULL;

    const char *create =
        "{\"users\": ["
        "{\"username\": \"c.user\", \"password\": \"c-password-1\", \"roles\": [\"vApp User\"], \"email\": \"c.user@acme.example\"},"
        "{\"username\": \"c.ldap\", \"providerType\": \"LDAP\", \"roles\": [\"Catalog Author\"]},"
        "{\"username\": \"c.bad\", \"providerType\": \"SAML\", \"password\": \"nope-nope\", \"roles\": [\"vApp User\"]}"
        "]}";
    CHECK(vcd_new_user(conn, create, &json) == VCS_PARTIAL_FAILURE && contains(json, "\"succeeded\":2") && contains(json, "users[2].password"), "bulk create reports each user");
    CHECK(!contains(json, "c-password-1"), "the password is not echoed");
    char id[160] = {0};
    CHECK(json_string(strstr(json ? json : "", "\"outcome\":\"created\""), "id", id, sizeof id), "the created user's id");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcd_get_user(conn, id, &json) == VCS_OK && contains(json, "\"username\":\"c.user\""), "get one user");
    vcs_string_free(json);
    json = NULL;
    /* A user is named by URN, username, email, full name or a pattern naming one user. */
    CHECK(vcd_get_user(conn, "c.user", &json) == VCS_OK && contains(json, id), "get one user by username");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_get_user(conn, "nobody-by-this-name", &json) == VCS_NOT_FOUND && contains(json, "\"field\":\"id\""), "an unknown user is not found");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_get_user(conn, "[oops", &json) == VCS_INVALID_ARGUMENT, "a malformed pattern is refused");
    vcs_string_free(json);
    json = NULL;
    CHECK(vcd_get_user(conn, NULL, &json) == VCS_INVALID_ARGUMENT && contains(json, "user_id"), "a NULL id is refused");
    vcs_string_free(json);
    json = NULL;

    char request[512];
    snprintf(request, sizeof request, "{\"id\": \"%s\", \"fullName\": \"C User\", \"enabled\": false}", id);
    CHECK(vcd_set_user(conn, request, &json) == VCS_OK && contains(json, "\"fullName\":\"C User\"") && contains(json, "\"enabled\":false"), "set a user");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcd_get_users(conn, "{\"filter\": \"providerType==LDAP\", \"name\": \"c.*\"}", &json) == VCS_OK && contains(json, "c.ldap") && !contains(json, "\"c.user\""), "list with a filter");
    vcs_string_free(json);
    json = NULL;

    /* A CSP call given a Cloud Director handle is refused, not misread. */
    CHECK(vcs_get_users((const VcsConnection *)conn, NULL, &json) == VCS_INVALID_ARGUMENT && contains(json, "another kind"), "handle kinds are checked");
    vcs_string_free(json);
    json = NULL;

    CHECK(vcd_remove_users(conn, "{\"users\": [\"c.*\", \"nobody\"]}", &json) == VCS_PARTIAL_FAILURE && contains(json, "\"succeeded\":2"), "remove by pattern");
    vcs_string_free(json);
    json = NULL;

    sync_checks(conn);
    CHECK(vcd_disconnect(conn) == VCS_OK, "disconnect");
    CHECK(vcd_disconnect(conn) == VCS_INVALID_ARGUMENT, "a second disconnect is refused");
    printf("C Cloud Director host: %d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
