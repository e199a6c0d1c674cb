#!/usr/bin/env python3
"""bench/audit_bound.py — what an audit of a sandbox organization must cost.

Reads the sandbox's state (GET /_sandbox/state), the audit's JSON report
(`ssoctl audit -o json`), the sandbox's call counts (GET /_sandbox/stats) and
/usr/bin/time -v's report of the audit, and prints, as a Markdown table:

  - the fewest calls the chosen strategy can make (anchors-admin.md §5, with
    the discovery the audit needs, counted from the actual organization),
    and calls / lower bound (target <= 1.05);
  - the quota-bound time: the least wall time AWS's quotas (scaled by S)
    allow for those calls, the services running concurrently, and
    wall / quota bound (target <= 1.15);
  - peak RSS; and the calls a brute-force audit (S0) would make.

  python3 bench/audit_bound.py --state STATE.json --sandbox-stats STATS.json \
      [--report REPORT.json | --strategy NAME] [--time TIME.txt] [--scale S]
"""

import argparse
import json
import math
import re
import sys
from collections import Counter, defaultdict

# internal/quota/quota.go: sustained rate and burst per bucket. A key is a
# service (one bucket for all its operations) or service:Operation.
QUOTAS = {
    "sso-admin": (20, 20),
    "identitystore": (20, 20),
    "organizations": (5, 8),
    "organizations:ListAccounts": (8, 12),
}


def pages(n, size):
    """Calls to list n items at size a page: a list call is made even when empty."""
    return max(1, math.ceil(n / size))


def bucket(op):
    svc = op.split(":")[0]
    return op if op in QUOTAS else svc


def lower_bound(state, strategy, review=False):
    """Calls per service:Operation the strategy cannot do without; with
    review, also those of the access review: the OU tree and the policies of
    the permission sets the assignments name."""
    accounts = state["accounts"] or []
    psets = state["permissionSets"] or []
    users = state["users"] or []
    groups = state["groups"] or []
    prov = state["provisioned"] or []
    asg = state["assignments"] or []
    members = Counter(m["groupId"] for m in state["memberships"] or [])
    user_ids = {u["userId"] for u in users}
    group_ids = {g["groupId"] for g in groups}

    n_p = Counter(p["permissionSetArn"] for p in prov)
    stale_p = Counter(p["permissionSetArn"] for p in prov if p.get("outdated"))
    provisioned = {(p["accountId"], p["permissionSetArn"]) for p in prov}

    calls = Counter()
    calls["sso-admin:ListInstances"] = 1
    calls["organizations:ListAccounts"] = pages(len(accounts), 20)
    calls["sso-admin:ListPermissionSets"] = pages(len(psets), 100)
    calls["sso-admin:DescribePermissionSet"] = len(psets)
    calls["sso-admin:ListAccountsForProvisionedPermissionSet"] = sum(
        pages(n_p[ps["permissionSetArn"]], 100) + pages(stale_p[ps["permissionSetArn"]], 100) for ps in psets
    )
    calls["identitystore:ListUsers"] = pages(len(users), 100)
    calls["identitystore:ListGroups"] = pages(len(groups), 100)

    if strategy == "permission-set":
        per_pair = Counter((a["accountId"], a["permissionSetArn"]) for a in asg)
        calls["sso-admin:ListAccountAssignments"] = sum(pages(per_pair[p], 100) for p in provisioned)
        seen = [a for a in asg if (a["accountId"], a["permissionSetArn"]) in provisioned]
    else:
        per_principal = Counter((a["principalType"], a["principalId"]) for a in asg)
        calls["sso-admin:ListAccountAssignmentsForPrincipal"] = sum(
            pages(per_principal[("USER", u)], 100) for u in user_ids
        ) + sum(pages(per_principal[("GROUP", g)], 100) for g in group_ids)
        principals = user_ids | group_ids
        seen = [a for a in asg if a["principalId"] in principals]
    ga = {a["principalId"] for a in seen if a["principalType"] == "GROUP" and a["principalId"] in group_ids}
    calls["identitystore:ListGroupMemberships"] = sum(pages(members[g], 100) for g in ga)

    if review:
        # The OU tree (inventory.WalkOrg: ListRoots, then per root and OU
        # its child OUs and its accounts, 20 a page) and two calls per
        # assigned permission set (its inline policy, its managed ones).
        ous = state.get("organizationalUnits") or []
        parents = [r["id"] for r in state.get("roots") or []] + [o["id"] for o in ous]
        child_ous = Counter(o["parentId"] for o in ous)
        child_accts = Counter(a["parentId"] for a in accounts)
        calls["organizations:ListRoots"] = 1
        calls["organizations:ListOrganizationalUnitsForParent"] = sum(pages(child_ous[p], 20) for p in parents)
        calls["organizations:ListAccountsForParent"] = sum(pages(child_accts[p], 20) for p in parents)
        assigned = {a["permissionSetArn"] for a in seen}
        calls["sso-admin:GetInlinePolicyForPermissionSet"] = len(assigned)
        calls["sso-admin:ListManagedPoliciesInPermissionSet"] = len(assigned)

    shape = {
        "N": len(accounts), "P": len(psets), "U": len(users), "G": len(groups),
        "E": len(provisioned), "Ga": len(ga), "assignments": len(asg),
        "members(Ga)": sum(members[g] for g in ga),
    }
    return calls, shape


def seconds(calls, scale):
    """Least time each bucket needs for its calls: the burst is free, the rest at the rate."""
    per_bucket = Counter()
    for op, n in calls.items():
        per_bucket[bucket(op)] += n
    out = {}
    for b, n in per_bucket.items():
        rate, burst = QUOTAS.get(b, (math.inf, math.inf))
        out[b] = max(0.0, n - burst * scale) / (rate * scale)
    return out


def phased_seconds(calls, scale):
    """The bound if the phases run one after another, as audit.Run does:
    discovery (services concurrently), assignments (sso-admin), members
    (identitystore). A bucket spends its burst once, except identitystore,
    idle through the assignments phase, which refills."""
    disc = {k: v for k, v in calls.items() if "ListAccountAssignments" not in k and "ListGroupMemberships" not in k}
    sso_disc = sum(n for op, n in disc.items() if bucket(op) == "sso-admin")
    asg = sum(n for k, n in calls.items() if "ListAccountAssignments" in k)
    mem = sum(n for k, n in calls.items() if "ListGroupMemberships" in k)
    rate, burst = (q * scale for q in QUOTAS["sso-admin"])
    a = max(0.0, asg - max(0.0, burst - sso_disc)) / rate
    rate, burst = (q * scale for q in QUOTAS["identitystore"])
    m = max(0.0, mem - burst) / rate
    return max(seconds(disc, scale).values()) + a + m


def peak_rss_mb(time_report):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_report)
    return int(m.group(1)) / 1024 if m else float("nan")


def wall_seconds(time_report):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", time_report)
    if not m:
        return float("nan")
    h, mi, s = m.groups()
    return int(h or 0) * 3600 + int(mi) * 60 + float(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", required=True, help="GET /_sandbox/state")
    ap.add_argument("--sandbox-stats", required=True, help="GET /_sandbox/stats after the audit")
    ap.add_argument("--report", help="the audit's -o json report (stats); else --strategy")
    ap.add_argument("--strategy", help="the strategy the audit chose, when there is no JSON report")
    ap.add_argument("--time", help="/usr/bin/time -v's report of the audit")
    ap.add_argument("--scale", type=float, default=1, help="the quota scale S of sandbox and client")
    args = ap.parse_args()

    state = json.load(open(args.state))
    sandbox = json.load(open(args.sandbox_stats))
    stats = json.load(open(args.report))["stats"] if args.report else None
    time_report = open(args.time).read() if args.time else ""
    scale = args.scale

    strategy = stats["strategy"] if stats else args.strategy
    # Audits since the access review report stats.policiesRead and make
    # its calls; older ones do not.
    review = bool(stats and "policiesRead" in stats) or "sso-admin:GetInlinePolicyForPermissionSet" in sandbox["calls"]
    bound, shape = lower_bound(state, strategy, review)
    server_calls = sum(sandbox["calls"].values())
    client_calls = stats["apiCalls"] if stats else server_calls
    client_ops = stats["callsByOperation"] if stats else sandbox["calls"]
    server_throttled = sum(sandbox["throttled"].values())
    lb = sum(bound.values())
    per_bucket = seconds(bound, scale)
    qb = max(per_bucket.values())
    at_aws = max(seconds(bound, 1).values())
    wall = wall_seconds(time_report)
    n, p = shape["N"], shape["P"]
    brute = 1 + math.ceil(n / 20) + p + n * p

    print(f"organization: {', '.join(f'{k}={v}' for k, v in shape.items())}"
          + (f"; provisionedPairs (audit) = {stats['provisionedPairs']}; rows = {stats['rows']}" if stats else ""))
    print()
    print("| metric | value | target |")
    print("|---|---:|---|")
    print(f"| strategy | {strategy} | |")
    if stats:
        print(f"| API calls, client (stats.apiCalls) | {client_calls} | |")
    print(f"| API calls, sandbox (/_sandbox/stats) | {server_calls} (throttled {server_throttled}) | |")
    print(f"| lower bound for {strategy} | {lb} | |")
    print(f"| calls / lower bound | {client_calls / lb:.3f} | ≤ 1.05 |")
    if time_report:
        print(f"| wall seconds (/usr/bin/time) | {wall:.1f} | < 120 |")
    if stats:
        print(f"| audit's own seconds (stats.seconds) | {stats['seconds']:.1f} | |")
    if time_report:
        print(f"| quota-bound seconds (max over services, S={scale:g}) | {qb:.1f} | |")
        print(f"| wall / quota bound | {wall / qb:.3f} | ≤ 1.15 |")
        ph = phased_seconds(bound, scale)
        print(f"| quota bound if phases run in sequence (as audit.Run does) | {ph:.1f} | |")
        print(f"| wall / sequential-phase bound | {wall / ph:.3f} | |")
        print(f"| peak RSS, audit (MB) | {peak_rss_mb(time_report):.0f} | |")
    print(f"| quota-bound seconds at AWS's real quotas (S=1) | {at_aws:.0f} | |")
    print(f"| brute force S0 calls (1 + ⌈N/20⌉ + P + N·P) | {brute} | |")
    print(f"| S0 / actual calls | {brute / client_calls:.1f}× | |")
    print()
    print("| operation | lower bound | client | sandbox |")
    print("|---|---:|---:|---:|")
    ops = sorted(set(bound) | set(client_ops) | set(sandbox["calls"]))
    for op in ops:
        print(f"| {op} | {bound.get(op, 0)} | {client_ops.get(op, 0)} | {sandbox['calls'].get(op, 0)} |")
    print()
    print("| bucket | calls | rate × S | seconds at quota |")
    print("|---|---:|---:|---:|")
    per = defaultdict(int)
    for op, k in bound.items():
        per[bucket(op)] += k
    for b in sorted(per):
        print(f"| {b} | {per[b]} | {QUOTAS[b][0] * scale:g}/s (burst {QUOTAS[b][1] * scale:g}) | {per_bucket[b]:.1f} |")


if __name__ == "__main__":
    main()
