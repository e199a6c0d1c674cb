"""Run the same boto3 calls against one endpoint (the sandbox or moto_server)
and print, as JSON, every read call's raw answer for the Go test
(side_by_side_test.go) to check against AWS's model and compare.

usage: python3 side_by_side.py ENDPOINT_URL ACCESS_KEY_ID SECRET_ACCESS_KEY

The set-up writes make the same things on both peers (a user, a group, a
permission set with policies, an assignment, an IAM user with a key …); an
organization is created only where there is none (moto starts empty, the
sandbox with its demo organization, and does not serve CreateOrganization).
Each read call's raw answer is taken from botocore's after-call event, so
what is compared is the wire answer, not boto3's parsing of it; boto3's own
parse error, if any, is reported too.
"""

import base64
import json
import sys

import boto3
import botocore
from botocore.config import Config


class Peer:
    def __init__(self, endpoint, key, secret):
        self.endpoint, self.key, self.secret = endpoint, key, secret
        self.calls = []
        self.setup_errors = []
        self._last = None

    def client(self, service):
        c = boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        c.meta.events.register("after-call", self._after_call)
        return c

    def _after_call(self, http_response, model, **_):
        self._last = {
            "status": http_response.status_code,
            "headers": {k.lower(): v for k, v in http_response.headers.items()},
            "body": base64.b64encode(http_response.content or b"").decode(),
        }

    def setup(self, what, fn):
        """A set-up write; its failure is recorded, not fatal."""
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - any failure is reported
            self.setup_errors.append(f"{what}: {e}")
            return None

    def read(self, service, op, fn):
        """A read call: its raw answer, boto3's verdict, and the error code."""
        self._last = None
        rec = {"service": service, "op": op, "error": "", "parse_error": ""}
        try:
            fn()
        except botocore.exceptions.ClientError as e:
            rec["error"] = e.response.get("Error", {}).get("Code", "")
        except Exception as e:  # noqa: BLE001 - a parse failure is a finding
            rec["parse_error"] = f"{type(e).__name__}: {e}"
        rec.update(self._last or {"status": 0, "headers": {}, "body": ""})
        self.calls.append(rec)


def main(endpoint, key, secret):
    p = Peer(endpoint, key, secret)
    org = p.client("organizations")
    sso = p.client("sso-admin")
    ids = p.client("identitystore")
    iam = p.client("iam")
    sts = p.client("sts")
    ses = p.client("sesv2")

    # The organization: moto needs one made (with accounts and an OU); the
    # sandbox has its demo one.
    made = False
    try:
        org.describe_organization()
    except botocore.exceptions.ClientError:
        made = True
        p.setup("create organization", lambda: org.create_organization(FeatureSet="ALL"))
        for name in ("sbs-dev", "sbs-prod"):
            p.setup("create account " + name, lambda n=name: org.create_account(Email=n + "@example.com", AccountName=n))
    root = org.list_roots()["Roots"][0]["Id"]
    mgmt = org.describe_organization()["Organization"]["MasterAccountId"]
    if made:
        p.setup("create OU", lambda: org.create_organizational_unit(ParentId=root, Name="sbs-ou"))
    ous = org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    ou_id = ous[0]["Id"] if ous else root
    accounts = [a for a in org.list_accounts()["Accounts"] if a["Id"] != mgmt and a.get("State", a.get("Status")) == "ACTIVE"]
    account = accounts[0]["Id"]

    inst = sso.list_instances()["Instances"][0]
    iarn, store = inst["InstanceArn"], inst["IdentityStoreId"]
    user = (p.setup("create user", lambda: ids.create_user(
        IdentityStoreId=store, UserName="sbs.user", DisplayName="Side By Side",
        Name={"GivenName": "Side", "FamilyName": "BySide"},
        Emails=[{"Value": "sbs.user@example.com", "Type": "work", "Primary": True}])) or {}).get("UserId", "")
    group = (p.setup("create group", lambda: ids.create_group(
        IdentityStoreId=store, DisplayName="sbs-group", Description="Side by side")) or {}).get("GroupId", "")
    membership = (p.setup("create membership", lambda: ids.create_group_membership(
        IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})) or {}).get("MembershipId", "")
    # An explicit SessionDuration: moto's default is the integer 3600.
    ps = (p.setup("create permission set", lambda: sso.create_permission_set(
        InstanceArn=iarn, Name="SideBySide", Description="Side by side", SessionDuration="PT4H")) or {}).get("PermissionSet", {}).get("PermissionSetArn", "")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})
    p.setup("put inline policy", lambda: sso.put_inline_policy_to_permission_set(InstanceArn=iarn, PermissionSetArn=ps, InlinePolicy=policy))
    p.setup("attach managed policy", lambda: sso.attach_managed_policy_to_permission_set(
        InstanceArn=iarn, PermissionSetArn=ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    p.setup("attach customer managed policy", lambda: sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=iarn, PermissionSetArn=ps, CustomerManagedPolicyReference={"Name": "team-boundary", "Path": "/teams/"}))
    created = p.setup("create assignment", lambda: sso.create_account_assignment(
        InstanceArn=iarn, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=ps,
        PrincipalType="USER", PrincipalId=user))
    request_id = created["AccountAssignmentCreationStatus"]["RequestId"] if created else "00000000-0000-0000-0000-000000000000"

    p.setup("create IAM user", lambda: iam.create_user(UserName="sbs-user"))
    key = p.setup("create access key", lambda: iam.create_access_key(UserName="sbs-user"))
    key_id = key["AccessKey"]["AccessKeyId"] if key else "AKIAIOSFODNN7EXAMPLE"
    p.setup("put user policy", lambda: iam.put_user_policy(UserName="sbs-user", PolicyName="sbs-inline", PolicyDocument=policy))
    p.setup("attach user policy", lambda: iam.attach_user_policy(UserName="sbs-user", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    p.setup("create login profile", lambda: iam.create_login_profile(UserName="sbs-user", Password="Side-By-Side-Passw0rd!"))
    p.setup("create IAM group", lambda: iam.create_group(GroupName="sbs-group"))
    p.setup("add user to group", lambda: iam.add_user_to_group(GroupName="sbs-group", UserName="sbs-user"))
    p.setup("create virtual MFA device", lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="sbs-mfa"))
    p.setup("create email identity", lambda: ses.create_email_identity(EmailIdentity="sbs@example.com"))

    reads = [
        ("sso-admin", "ListInstances", lambda: sso.list_instances()),
        ("sso-admin", "DescribePermissionSet", lambda: sso.describe_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "ListPermissionSets", lambda: sso.list_permission_sets(InstanceArn=iarn)),
        ("sso-admin", "GetInlinePolicyForPermissionSet", lambda: sso.get_inline_policy_for_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "ListManagedPoliciesInPermissionSet", lambda: sso.list_managed_policies_in_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "ListCustomerManagedPolicyReferencesInPermissionSet", lambda: sso.list_customer_managed_policy_references_in_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "GetPermissionsBoundaryForPermissionSet", lambda: sso.get_permissions_boundary_for_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "ListTagsForResource", lambda: sso.list_tags_for_resource(InstanceArn=iarn, ResourceArn=ps)),
        ("sso-admin", "DescribeAccountAssignmentCreationStatus", lambda: sso.describe_account_assignment_creation_status(InstanceArn=iarn, AccountAssignmentCreationRequestId=request_id)),
        ("sso-admin", "ListAccountAssignmentCreationStatus", lambda: sso.list_account_assignment_creation_status(InstanceArn=iarn)),
        ("sso-admin", "ListAccountAssignments", lambda: sso.list_account_assignments(InstanceArn=iarn, AccountId=account, PermissionSetArn=ps)),
        ("sso-admin", "ListAccountAssignmentsForPrincipal", lambda: sso.list_account_assignments_for_principal(InstanceArn=iarn, PrincipalId=user, PrincipalType="USER")),
        ("sso-admin", "ListAccountsForProvisionedPermissionSet", lambda: sso.list_accounts_for_provisioned_permission_set(InstanceArn=iarn, PermissionSetArn=ps)),
        ("sso-admin", "ListPermissionSetsProvisionedToAccount", lambda: sso.list_permission_sets_provisioned_to_account(InstanceArn=iarn, AccountId=account)),
        ("sso-admin", "ListPermissionSetProvisioningStatus", lambda: sso.list_permission_set_provisioning_status(InstanceArn=iarn)),
        ("identitystore", "DescribeUser", lambda: ids.describe_user(IdentityStoreId=store, UserId=user)),
        ("identitystore", "ListUsers", lambda: ids.list_users(IdentityStoreId=store)),
        ("identitystore", "GetUserId", lambda: ids.get_user_id(IdentityStoreId=store, AlternateIdentifier={"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "sbs.user"}})),
        ("identitystore", "DescribeGroup", lambda: ids.describe_group(IdentityStoreId=store, GroupId=group)),
        ("identitystore", "ListGroups", lambda: ids.list_groups(IdentityStoreId=store)),
        ("identitystore", "GetGroupId", lambda: ids.get_group_id(IdentityStoreId=store, AlternateIdentifier={"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "sbs-group"}})),
        ("identitystore", "ListGroupMemberships", lambda: ids.list_group_memberships(IdentityStoreId=store, GroupId=group)),
        ("identitystore", "ListGroupMembershipsForMember", lambda: ids.list_group_memberships_for_member(IdentityStoreId=store, MemberId={"UserId": user})),
        ("identitystore", "DescribeGroupMembership", lambda: ids.describe_group_membership(IdentityStoreId=store, MembershipId=membership)),
        ("identitystore", "GetGroupMembershipId", lambda: ids.get_group_membership_id(IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})),
        ("identitystore", "IsMemberInGroups", lambda: ids.is_member_in_groups(IdentityStoreId=store, MemberId={"UserId": user}, GroupIds=[group])),
        ("organizations", "DescribeOrganization", lambda: org.describe_organization()),
        ("organizations", "ListAccounts", lambda: org.list_accounts()),
        ("organizations", "DescribeAccount", lambda: org.describe_account(AccountId=account)),
        ("organizations", "ListRoots", lambda: org.list_roots()),
        ("organizations", "ListAccountsForParent", lambda: org.list_accounts_for_parent(ParentId=root)),
        ("organizations", "ListOrganizationalUnitsForParent", lambda: org.list_organizational_units_for_parent(ParentId=root)),
        ("organizations", "ListChildren", lambda: org.list_children(ParentId=root, ChildType="ORGANIZATIONAL_UNIT")),
        ("organizations", "ListParents", lambda: org.list_parents(ChildId=account)),
        ("organizations", "DescribeOrganizationalUnit", lambda: org.describe_organizational_unit(OrganizationalUnitId=ou_id)),
        ("iam", "GetUser", lambda: iam.get_user(UserName="sbs-user")),
        ("iam", "ListUsers", lambda: iam.list_users()),
        ("iam", "ListAccessKeys", lambda: iam.list_access_keys(UserName="sbs-user")),
        ("iam", "GetAccessKeyLastUsed", lambda: iam.get_access_key_last_used(AccessKeyId=key_id)),
        ("iam", "GetLoginProfile", lambda: iam.get_login_profile(UserName="sbs-user")),
        ("iam", "ListMFADevices", lambda: iam.list_mfa_devices(UserName="sbs-user")),
        ("iam", "ListGroupsForUser", lambda: iam.list_groups_for_user(UserName="sbs-user")),
        ("iam", "GetUserPolicy", lambda: iam.get_user_policy(UserName="sbs-user", PolicyName="sbs-inline")),
        ("iam", "ListVirtualMFADevices", lambda: iam.list_virtual_mfa_devices()),
        ("iam", "ListUserPolicies", lambda: iam.list_user_policies(UserName="sbs-user")),
        ("iam", "ListAttachedUserPolicies", lambda: iam.list_attached_user_policies(UserName="sbs-user")),
        ("iam", "ListSigningCertificates", lambda: iam.list_signing_certificates(UserName="sbs-user")),
        ("iam", "ListSSHPublicKeys", lambda: iam.list_ssh_public_keys(UserName="sbs-user")),
        ("iam", "ListServiceSpecificCredentials", lambda: iam.list_service_specific_credentials(UserName="sbs-user")),
        ("sts", "GetCallerIdentity", lambda: sts.get_caller_identity()),
        ("sesv2", "GetAccount", lambda: ses.get_account()),
        ("sesv2", "ListEmailIdentities", lambda: ses.list_email_identities()),
        ("sesv2", "GetEmailIdentity", lambda: ses.get_email_identity(EmailIdentity="sbs@example.com")),
    ]
    for service, op, fn in reads:
        p.read(service, op, fn)
    print(json.dumps({"botocore": botocore.__version__, "setup_errors": p.setup_errors, "calls": p.calls}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
