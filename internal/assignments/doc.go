// Package assignments is the family of packages that read, declare, plan
// and change IAM Identity Center account assignments, around one tuple
// (Assignment). Each step has one package, and each imports only this
// root and the steps listed before it:
//
//   - list: the one lister. A selection in; the assignments out in a
//     deterministic order, with the method used and the items that failed.
//     The audit, `access`, `admin assignments` and plan read through it.
//   - file: the declared assignments file (YAML, aws-sso-util's config
//     keys), resolved against the organization with line-numbered errors.
//   - execute: the one executor, the only code that creates or deletes
//     assignments — and that writes permission sets, their provisioning,
//     identity-store groups and memberships for `iac` (≤15 outstanding,
//     polling, retries, idempotent, resumable). Plans, the user lifecycle,
//     `iac apply` and what comes next write through it.
//   - plan: desired (file) against actual (list): what to create and delete
//     (an execute.Plan), saved and re-checked before it is applied.
//   - cfn: the declared file as CloudFormation (AWS::SSO::Assignment; with
//     SourceOf, permission sets an Identity Center file declares as
//     AWS::SSO::PermissionSet), generated without calling AWS.
package assignments
