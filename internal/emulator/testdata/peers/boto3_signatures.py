"""Call the sandbox with boto3 under several sets of credentials and print,
for each set and each of sts GetCallerIdentity, sso-admin ListInstances
and s3 ListBuckets, "OK" or the error code, as JSON for the Go test
(peer_signatures_test.go) to check.

usage: python3 boto3_signatures.py < cases.json
cases.json: [{"name", "endpoint", "key", "secret", "token", "unsigned"}, ...]
"""

import json
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

CALLS = {
    "sts": lambda c: c.get_caller_identity(),
    "sso-admin": lambda c: c.list_instances(),
    "s3": lambda c: c.list_buckets(),
}


def main():
    out = {}
    for case in json.load(sys.stdin):
        config = Config(retries={"max_attempts": 1, "mode": "standard"})
        if case.get("unsigned"):
            config = config.merge(Config(signature_version=botocore.UNSIGNED))
        session = boto3.session.Session(
            aws_access_key_id=case.get("key") or "unused",
            aws_secret_access_key=case.get("secret") or "unused",
            aws_session_token=case.get("token") or None,
            region_name="us-east-1",
        )
        got = {}
        for service, call in CALLS.items():
            client = session.client(service, endpoint_url=case["endpoint"], config=config)
            try:
                call(client)
                got[service] = "OK"
            except ClientError as e:
                got[service] = e.response["Error"]["Code"]
        out[case["name"]] = got
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
