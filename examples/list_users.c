/*
 * A complete program that links vcs-native: connect with an API token, list the users whose
 * name starts with a pattern, print them, disconnect.
 *
 *   cargo build --release
 *   gcc -Iinclude examples/list_users.c -Ltarget/release -lvcs_native \
 *       -Wl,-rpath,"$PWD/target/release" -o list_users
 *   VCS_SERVER=console.cloud.vmware.com VCS_API_TOKEN=... ./list_users 'A*'
 */
#include "vcs_native.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *server = getenv("VCS_SERVER");
    const char *token = getenv("VCS_API_TOKEN");
    if (!token) {
        fprintf(stderr, "set VCS_API_TOKEN (and VCS_SERVER for anything but the public service)\n");
        return 2;
    }
    /* Build the options JSON. Real code should escape the values or use a JSON library. */
    char options[4096];
    snprintf(options, sizeof options, "{\"server\": \"%s\", \"apiToken\": \"%s\"}",
             server ? server : "console.cloud.vmware.com", token);

    VcsConnection *conn = NULL;
    char *json = NULL;
    VcsStatus status = vcs_connect(options, &conn, &json);
    if (status != VCS_OK) {
        fprintf(stderr, "connect failed (status %d): %s\n", (int)status, json);
        vcs_string_free(json);
        return 1;
    }
    vcs_string_free(json);

    char query[512];
    snprintf(query, sizeof query, "{\"name\": \"%s\"}", argc > 1 ? argv[1] : "*");
    status = vcs_get_users(conn, query, &json);
    if (status == VCS_OK) {
        printf("%s\n", json);
    } else {
        fprintf(stderr, "listing failed (status %d): %s\n", (int)status, json);
    }
    vcs_string_free(json);
    vcs_disconnect(conn);
    return status == VCS_OK ? 0 : 1;
}
