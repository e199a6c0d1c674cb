"""Drive the sandbox with boto3 through the acceptance flow of
shared/reference/emulator.md §5 and print a JSON summary for the Go test
(peer_clients_test.go) to check.

usage: python3 boto3_flow.py ENDPOINT_URL
"""

import json
import sys

import boto3


def client(service, endpoint):
    """A client with the sandbox's dummy credentials, from the environment
    the test sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)."""
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def paged(cl, op, key, **kwargs):
    """Every item of a list, fetched a page of one at a time; also the
    number of pages."""
    items, pages = [], 0
    for page in cl.get_paginator(op).paginate(PaginationConfig={"PageSize": 1}, **kwargs):
        pages += 1
        items.extend(page[key])
    return items, pages


def main(endpoint):
    sso = client("sso-admin", endpoint)
    ids = client("identitystore", endpoint)
    org = client("organizations", endpoint)
    out = {"botocore": __import__("botocore").__version__}

    inst = sso.list_instances()["Instances"][0]
    iarn, store = inst["InstanceArn"], inst["IdentityStoreId"]

    user = ids.create_user(
        IdentityStoreId=store,
        UserName="peer.boto3",
        DisplayName="Boto Three",
        Name={"GivenName": "Boto", "FamilyName": "Three"},
        Emails=[{"Value": "peer.boto3@example.com", "Type": "work", "Primary": True}],
    )["UserId"]
    try:
        ids.create_user(
            IdentityStoreId=store,
            UserName="peer.boto3",
            DisplayName="Again",
            Name={"GivenName": "A", "FamilyName": "B"},
        )
        out["duplicate_user"] = "accepted"
    except ids.exceptions.ConflictException as e:
        out["duplicate_user"] = e.response["Error"]["Code"]
    group = ids.create_group(IdentityStoreId=store, DisplayName="peer-boto3")["GroupId"]
    ids.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})
    got = ids.get_user_id(
        IdentityStoreId=store,
        AlternateIdentifier={"UniqueAttribute": {"AttributePath": "UserName", "AttributeValue": "peer.boto3"}},
    )["UserId"]
    out["user_id"], out["group_id"], out["get_user_id_matches"] = user, group, got == user

    users, pages = paged(ids, "list_users", "Users", IdentityStoreId=store)
    out["users_listed"], out["user_pages"] = len(users), pages
    out["users_distinct"] = len({u["UserId"] for u in users})
    out["user_found"] = any(u["UserId"] == user for u in users)
    members, _ = paged(ids, "list_group_memberships", "GroupMemberships", IdentityStoreId=store, GroupId=group)
    out["members"] = [m["MemberId"]["UserId"] for m in members]

    ps = sso.create_permission_set(InstanceArn=iarn, Name="PeerBoto3", SessionDuration="PT4H")["PermissionSet"]
    psarn = ps["PermissionSetArn"]
    out["permission_set_arn"], out["session_duration"] = psarn, ps["SessionDuration"]
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=iarn, PermissionSetArn=psarn, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )

    mgmt = org.describe_organization()["Organization"]["MasterAccountId"]
    accounts, pages = paged(org, "list_accounts", "Accounts")
    out["accounts_listed"], out["account_pages"] = len(accounts), pages
    account = next(a["Id"] for a in accounts if a["Id"] != mgmt and a["State"] == "ACTIVE")
    out["account"] = account

    status = sso.create_account_assignment(
        InstanceArn=iarn,
        TargetId=account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=psarn,
        PrincipalType="GROUP",
        PrincipalId=group,
    )["AccountAssignmentCreationStatus"]
    polls = 0
    while status["Status"] == "IN_PROGRESS" and polls < 50:
        polls += 1
        status = sso.describe_account_assignment_creation_status(
            InstanceArn=iarn, AccountAssignmentCreationRequestId=status["RequestId"]
        )["AccountAssignmentCreationStatus"]
    out["assignment_status"], out["assignment_polls"] = status["Status"], polls

    assignments, _ = paged(
        sso, "list_account_assignments", "AccountAssignments", InstanceArn=iarn, AccountId=account, PermissionSetArn=psarn
    )
    out["assignment_found"] = any(a["PrincipalId"] == group and a["PrincipalType"] == "GROUP" for a in assignments)
    for_principal, _ = paged(
        sso,
        "list_account_assignments_for_principal",
        "AccountAssignments",
        InstanceArn=iarn,
        PrincipalId=group,
        PrincipalType="GROUP",
    )
    out["for_principal"] = [[a["AccountId"], a["PermissionSetArn"]] for a in for_principal]
    sets, pages = paged(sso, "list_permission_sets", "PermissionSets", InstanceArn=iarn)
    out["permission_sets_listed"], out["permission_set_pages"] = len(sets), pages
    out["permission_set_found"] = psarn in sets

    unknown_ps = iarn.replace(":instance/", ":permissionSet/") + "/ps-0000000000000000"
    try:
        sso.describe_permission_set(InstanceArn=iarn, PermissionSetArn=unknown_ps)
        out["unknown_permission_set"] = "found"
    except sso.exceptions.ResourceNotFoundException as e:
        out["unknown_permission_set"] = e.response["Error"]["Code"]
    try:
        ids.describe_user(IdentityStoreId=store, UserId="0123456789-00000000-0000-4000-8000-000000000000")
        out["unknown_user"] = "found"
    except ids.exceptions.ResourceNotFoundException as e:
        out["unknown_user"] = e.response["Error"]["Code"]
        out["unknown_user_resource_type"] = e.response.get("ResourceType")

    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
