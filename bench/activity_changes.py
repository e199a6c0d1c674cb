# bench/activity_changes.py — the ten changes of audit_since.txtar (two
# assignments deleted, three created, two memberships added and one removed, a
# user deleted and one created), made with boto3 against $AWS_ENDPOINT_URL.
# Ten changes through the sandbox's APIs, as an administrator would make
# them with boto3.
import os, boto3, time
url = os.environ["AWS_ENDPOINT_URL"]
sso = boto3.client("sso-admin", endpoint_url=url)
ids = boto3.client("identitystore", endpoint_url=url)
org = boto3.client("organizations", endpoint_url=url)
inst = sso.list_instances()["Instances"][0]
ia, store = inst["InstanceArn"], inst["IdentityStoreId"]
accounts = sorted(a["Id"] for a in org.list_accounts()["Accounts"])
psets = sorted(sso.list_permission_sets(InstanceArn=ia, MaxResults=100)["PermissionSets"])
users = sorted(ids.list_users(IdentityStoreId=store)["Users"], key=lambda u: u["UserName"])
groups = sorted(ids.list_groups(IdentityStoreId=store)["Groups"], key=lambda g: g["DisplayName"])
n = 0

def assign(acct, ps, ptype, pid, create=True):
    global n
    f = sso.create_account_assignment if create else sso.delete_account_assignment
    f(InstanceArn=ia, TargetId=acct, TargetType="AWS_ACCOUNT", PermissionSetArn=ps, PrincipalType=ptype, PrincipalId=pid)
    n += 1

def assigned(acct, ps):
    return sso.list_account_assignments(InstanceArn=ia, AccountId=acct, PermissionSetArn=ps)["AccountAssignments"]

# two existing assignments deleted (the first pairs that have one)
deleted = 0
for acct in accounts:
    if deleted >= 2:
        break
    for ps in sso.list_permission_sets_provisioned_to_account(InstanceArn=ia, AccountId=acct).get("PermissionSets", []):
        if deleted < 2:
            for a in assigned(acct, ps)[:1]:
                assign(acct, ps, a["PrincipalType"], a["PrincipalId"], create=False)
                deleted += 1
# three created: two users and a group, on the last accounts
assign(accounts[-1], psets[0], "USER", users[0]["UserId"])
assign(accounts[-1], psets[-1], "USER", users[1]["UserId"])
assign(accounts[-2], psets[0], "GROUP", groups[0]["GroupId"])
# memberships: two added to the group just assigned, one removed from
# another assigned group
for u in users[2:4]:
    ids.create_group_membership(IdentityStoreId=store, GroupId=groups[0]["GroupId"], MemberId={"UserId": u["UserId"]})
    n += 1
for g in groups[1:]:
    ms = ids.list_group_memberships(IdentityStoreId=store, GroupId=g["GroupId"])["GroupMemberships"]
    if ms and sso.list_account_assignments_for_principal(InstanceArn=ia, PrincipalId=g["GroupId"], PrincipalType="GROUP")["AccountAssignments"]:
        ids.delete_group_membership(IdentityStoreId=store, MembershipId=ms[0]["MembershipId"])
        n += 1
        break
# a user deleted (one with access), one created
ids.delete_user(IdentityStoreId=store, UserId=users[1]["UserId"])
n += 1
ids.create_user(IdentityStoreId=store, UserName="new.person", DisplayName="New Person", Name={"GivenName": "New", "FamilyName": "Person"}, Emails=[{"Value": "new.person@example.com", "Primary": True}])
n += 1
print(n, "changes")
