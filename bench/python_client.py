"""A straightforward Python client of the same CSP endpoints, written the way users' scripts are:
sequential paging, one request per item for bulk work. bench/run.sh times it.

usage: python_client.py list URL TOKEN | bulk URL TOKEN N
"""
import json
import sys
import time

import requests

AM = "/csp/gateway/am/api"


def connect(url, token):
    s = requests.Session()
    r = s.post(f"{url}{AM}/auth/api-tokens/authorize", data={"refresh_token": token})
    r.raise_for_status()
    access = r.json()["access_token"]
    s.headers["csp-auth-token"] = access
    org = json.loads(__import__("base64").urlsafe_b64decode(access.split(".")[1] + "==="))["context_name"]
    return s, org


def list_users(s, url, org):
    users, start = [], 1
    while True:
        r = s.get(f"{url}{AM}/v2/orgs/{org}/users", params={"pageStart": start, "pageLimit": 200})
        r.raise_for_status()
        page = r.json()
        users.extend(page["results"])
        if not page.get("nextLink"):
            return users
        start += 200


def main():
    cmd, url, token = sys.argv[1], sys.argv[2], sys.argv[3]
    s, org = connect(url, token)
    if cmd == "list":
        t = time.perf_counter()
        users = list_users(s, url, org)
        print(json.dumps({"users": len(users), "seconds": time.perf_counter() - t}))
        return
    n = int(sys.argv[4])
    out = {}
    t = time.perf_counter()
    for i in range(n):
        r = s.post(f"{url}{AM}/orgs/{org}/invitations",
                   json={"usernames": [f"py{i}@bulk.example"], "organizationRoles": [{"name": "org_member"}], "skipNotify": True})
        r.raise_for_status()
    out["invite"] = {"seconds": time.perf_counter() - t}
    links = s.get(f"{url}{AM}/orgs/{org}/invitations").json()
    ids = []
    for link in links:
        inv = s.get(f"{url}{link}").json()
        if inv["username"].startswith("py") and inv["status"] == "AVAILABLE":
            ids.append(link.rsplit("/", 1)[1])
    t = time.perf_counter()
    for i in ids:
        s.delete(f"{url}{AM}/orgs/{org}/invitations/{i}").raise_for_status()
    out["revoke"] = {"seconds": time.perf_counter() - t, "count": len(ids)}
    victims = [u["user"]["userId"] for u in list_users(s, url, org)
               if not any(r["name"] == "org_owner" for r in u["organizationRoles"])][:n]
    t = time.perf_counter()
    for v in victims:
        s.delete(f"{url}{AM}/v2/orgs/{org}/users", json={"ids": [v], "notifyUsers": False}).raise_for_status()
    out["remove"] = {"seconds": time.perf_counter() - t, "count": len(victims)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
