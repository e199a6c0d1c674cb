#!/usr/bin/env python3
"""List the S3 buckets of every account in a file `ssoctl credentials export` wrote.

    python3 list_buckets.py CREDS.json [--endpoint-url URL] [--region REGION]

For every account, with the credentials of each of its roles (boto3, nothing
else), prints one `accountId|bucketName` line per bucket, sorted, without
duplicates. The endpoint defaults to $AWS_ENDPOINT_URL (e.g. ssoctl's
sandbox); without one, boto3 calls AWS.
"""

import argparse
import json
import os
import sys

import boto3
from botocore.config import Config


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    p.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    args = p.parse_args()
    with open(args.file) as f:
        accounts = json.load(f)
    lines = set()
    for account in accounts:
        for role, creds in sorted(account["roles"].items()):
            s3 = boto3.client(
                "s3",
                endpoint_url=args.endpoint_url,
                region_name=args.region,
                aws_access_key_id=creds["accessKeyId"],
                aws_secret_access_key=creds["secretAccessKey"],
                aws_session_token=creds["sessionToken"],
                config=Config(s3={"addressing_style": "path"}),
            )
            for bucket in s3.list_buckets()["Buckets"]:
                lines.add(account["accountId"] + "|" + bucket["Name"])
    for line in sorted(lines):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
