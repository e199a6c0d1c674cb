// Package assignments is the family of packages that read, declare, plan
// and change IAM Identity Center account assignments. Each step has one
// package, and each package only calls those before it:
//
//   - list: the one lister. A selection in; the assignments out in a
//     deterministic order, with the method used and the items that failed.
//     The audit, `access`, `admin assignments` and plan read through it.
//   - file: the declared assignments file (YAML, aws-sso-util's config
//     keys), resolved against the organization with line-numbered errors.
//   - plan: desired (file) against actual (list): what to create and delete,
//     saved and re-checked before it is applied.
//   - execute: the one executor, the only code that creates or deletes
//     assignments (≤15 outstanding, polling, retries, idempotent,
//     resumable). Plans, the user lifecycle and what comes next write
//     through it.
//   - cfn: the declared file as CloudFormation (AWS::SSO::Assignment),
//     generated without calling AWS.
package assignments
