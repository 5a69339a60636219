# ruff: noqa: E501  (a table of one-line texts reads best one rule per line)
"""One line per rule of ../shared/spec/kms-authorization.md, in the playground's words.

Lessons and trace steps cite rules by number (R1.1, R2.12, ...); each
citation becomes a link to /glossary/#R1.1 with its line as a tooltip, and
the glossary page lists them all by section.
"""

from __future__ import annotations

import re

SECTIONS = {
    "R1": "How policy types combine",
    "R2": "Key policies",
    "R3": "Grants",
    "R4": "Condition keys",
    "R5": "The policy language",
    "R6": "Key states and errors",
    "R7": "Roles and STS",
    "R8": "S3 and other services",
    "R9": "Cryptography",
}

RULES: dict[str, str] = {
    # How policy types combine
    "R1.1": "Nothing is allowed until a policy allows it, and any matching Deny beats every Allow.",
    "R1.2": "Identity, key, boundary, session, SCP and RCP policies can all take part in one request.",
    "R1.3": "Evaluation order: explicit denies first, then the guardrails (RCPs, SCPs), then the allows.",
    "R1.4": "A guardrail (SCP or RCP) that allows nothing blocks the request as surely as a Deny.",
    "R1.5": "Even the root user has no right to a KMS key unless a policy or grant gives it.",
    "R1.6": "SCPs cap what member-account users and roles may do; they never grant anything.",
    "R1.7": "SCPs skip the management account, service-linked roles and callers from outside the organization.",
    "R1.8": "An SCP permission must survive at every level: root, each unit, then the account.",
    "R1.9": "RCPs cap what may be done to a member account's resources, whoever is asking.",
    "R1.10": "RCPs skip management-account resources, service-linked roles, AWS managed keys and RetireGrant.",
    "R1.11": "RCPs filter only the services that support them, KMS, S3 and STS among them.",
    "R1.12": "RCPs also apply to AWS service principals, so example RCPs carve those out.",
    "R1.13": "In one account an identity or a resource policy may allow, but key and trust policies must agree.",
    "R1.14": "A same-account resource policy naming a user escapes that user's implicit denies; naming a role does not.",
    "R1.15": "Principal * with an aws:PrincipalArn condition is limited by boundaries and sessions only through a Deny.",
    "R1.16": "A permissions boundary intersects the identity policies: it can only take away.",
    "R1.17": "A session policy intersects the role's identity policies, and also cuts policies naming the role.",
    "R1.18": "Across accounts both sides must allow: the caller's account and the resource owner's.",
    "R1.19": "Naming an account in a resource policy delegates to that account's IAM; it allows no one yet.",
    "R1.20": "A request through a VPC endpoint needs the endpoint policy to allow it as well.",
    "R1.21": "When S3 or another service calls KMS for you, KMS checks your principal, not the service's.",
    "R1.22": "AWS's denial messages say which kind of policy lacked an allow or held the deny.",
    # Key policies
    "R2.1": "Every key has exactly one key policy, and it is the main gate to the key.",
    "R2.2": "IAM can allow key use only if the key policy lets IAM count; IAM can always deny.",
    "R2.3": "The account principal in a key policy hands the decision to IAM; by itself it admits no role.",
    "R2.4": "With no policy given, a new key trusts its account for kms:* (the default key policy).",
    "R2.5": "Without the account statement IAM allows do nothing, and the key can become unmanageable.",
    "R2.6": "KMS refuses a new key policy that would stop the caller from changing it again.",
    "R2.7": "The lockout check also weighs the caller's IAM policies (a modelled assumption).",
    "R2.8": "A key policy's principals must exist and every statement needs one; policies have a size limit.",
    "R2.9": "In a key policy, Resource * means this key and no other.",
    "R2.10": "A key policy can name accounts, users, roles (all their sessions), one session, services or *.",
    "R2.11": "Principal * opens the key to everyone, though other accounts still need their own IAM allow.",
    "R2.12": "In the same account, a key policy statement naming the role is enough on its own.",
    "R2.13": "Across accounts the key policy must allow the caller's account and the caller's IAM must allow too.",
    "R2.14": "Only key use, grants and a few read calls work across accounts; administration does not.",
    "R2.15": "From another account name the key by key ARN or alias ARN; an alias name is looked up at home.",
    "R2.16": "An alias ARN in an IAM Resource covers the alias, not the key behind it.",
    "R2.17": "AWS managed keys work only through their service and only for their own account.",
    "R2.18": "Access given to another account needs that account to have the key's Region enabled.",
    "R2.19": "KMS weighs key policy, IAM, grants, SCPs and endpoint policies together.",
    "R2.20": "Key administrators who may create grants or edit the policy can give themselves key use.",
    "R2.21": "IAM-only permissions such as kms:CreateKey do nothing in a key policy.",
    # Grants
    "R3.1": "A grant lets one principal call listed operations on one key; grants only ever allow.",
    "R3.2": "A grant names one grantee, its operations, and optionally a retiring principal and constraints.",
    "R3.3": "Newer grants may name a service principal, which then needs a SourceArn constraint.",
    "R3.4": "A grant can list only certain operations (the cryptographic ones, DescribeKey, CreateGrant, ...).",
    "R3.5": "A grantee needs no key policy or IAM allow for the operations its grant lists.",
    "R3.6": "A grant can name a principal of another account, which then needs no IAM allow.",
    "R3.7": "A grant to a whole account is read like an account principal (a modelled assumption).",
    "R3.8": "An explicit Deny in the key policy, IAM or a guardrail still beats a grant.",
    "R3.9": "A grant to a role is limited by its boundary and session policy (a modelled assumption).",
    "R3.10": "A new grant takes minutes to reach everywhere; its grant token works at once.",
    "R3.11": "Equals needs exactly the listed context pairs; Subset needs them all and allows more.",
    "R3.12": "Grant-constraint matching is case-sensitive in the playground (AWS sources disagree).",
    "R3.13": "kms:CreateGrant from a policy lets the caller grant any operation, unless conditions narrow it.",
    "R3.14": "A grant that allows CreateGrant can only pass on its own operations, no looser.",
    "R3.15": "A grant can be retired by its retiring principal, some grantees, or the account that made it.",
    "R3.16": "RevokeGrant and ListGrants are allowed by policies only, never by a grant.",
    "R3.17": "Grants never expire, a key holds at most 50,000, and retrying CreateGrant is harmless.",
    # Condition keys
    "R4.1": "Key-property conditions only apply to operations on an existing key.",
    "R4.2": "kms:ViaService is set only when an AWS service calls KMS on the caller's behalf.",
    "R4.3": "kms:CallerAccount is the caller's account; with Principal * it means everyone in that account.",
    "R4.4": "kms:EncryptionContext:KEY is the value of one pair of the request's encryption context.",
    "R4.5": "kms:EncryptionContextKeys lists the context's keys; use it with ForAnyValue or ForAllValues.",
    "R4.6": "kms:EncryptionAlgorithm is the algorithm asked for, SYMMETRIC_DEFAULT for data keys.",
    "R4.7": "kms:RequestAlias is the alias the request used to name the key, if it used one.",
    "R4.8": "kms:ResourceAliases lists every alias of the key; it works in IAM policies only.",
    "R4.9": "kms:KeySpec, kms:KeyUsage and kms:KeyOrigin describe the key being used.",
    "R4.10": "kms:GrantIsForAWSResource is true only when an AWS service makes the grant for you.",
    "R4.11": "kms:GrantOperations lets a policy limit which operations a new grant may carry.",
    "R4.12": "kms:GranteePrincipal, kms:RetiringPrincipal and kms:GrantConstraintType describe a new grant.",
    "R4.13": "Other KMS keys: ReEncryptOnSameKey, BypassPolicyLockoutSafetyCheck, algorithm and spec keys.",
    "R4.14": "aws:ResourceTag on keys works in IAM policies only, and tag changes take minutes.",
    "R4.15": "An encryption-context condition on DescribeKey can never pass: that call has no context.",
    "R4.16": "aws:PrincipalArn of a role session is the role's ARN, not the session's.",
    "R4.17": "aws:PrincipalAccount is always set; aws:PrincipalOrgID only inside an organization.",
    "R4.18": "aws:SourceVpce and friends exist only for requests that come through a VPC endpoint.",
    "R4.19": "aws:SecureTransport is always present.",
    "R4.20": "aws:SourceArn and aws:SourceAccount come with service-to-service calls; use them against confused deputies.",
    "R4.21": "aws:PrincipalIsAWSService is true for a service calling directly; aws:ViaAWSService for calls made for you.",
    "R4.22": "aws:username exists only for IAM users, never for role sessions.",
    "R4.23": "Network conditions on a key can break the AWS services that use it for you.",
    # The policy language
    "R5.1": "Version 2012-10-17 is the one with policy variables; older or missing versions treat ${...} literally.",
    "R5.2": "A statement has Effect, Action/NotAction, Resource/NotResource, optional Condition, and Principal in resource policies.",
    "R5.3": "Action names ignore case and take * wildcards; a list means any of them.",
    "R5.4": "NotAction matches every action except the ones listed.",
    "R5.5": "Resource ARNs take * and ? within each segment; NotResource means all but those.",
    "R5.6": "Principal lists mean any of them; * is everyone; no partial wildcards.",
    "R5.7": "NotPrincipal belongs with Deny in resource policies only.",
    "R5.8": "Condition operators and keys AND together; the values of one key OR together.",
    "R5.9": "Condition key names ignore case; whether values do depends on the operator.",
    "R5.10": "A missing condition key fails a positive operator and passes a negated one; IfExists passes it.",
    "R5.11": "ForAllValues is true for a missing or empty key; ForAnyValue is false for it.",
    "R5.12": "StringEquals and StringLike are case-sensitive; the IgnoreCase forms are not.",
    "R5.13": "Numeric, Date, Bool, Binary, IpAddress and Arn operators compare as their names say.",
    "R5.14": "${key} variables fill in request values; a missing one makes the condition fail unless defaulted.",
    "R5.15": "In KMS a variable may appear only in an encryption-context condition's value.",
    # Key states and errors
    "R6.1": "A key is Enabled, Disabled, PendingDeletion, PendingImport or Unavailable.",
    "R6.2": "Cryptographic calls need an Enabled key; other states give DisabledException or KMSInvalidStateException.",
    "R6.3": "DescribeKey, GetKeyPolicy and grant management work in almost every state.",
    "R6.4": "Enable, disable and deletion calls each have the states they refuse.",
    "R6.5": "What each KMS error code means, from NotFoundException to InvalidCiphertextException.",
    "R6.6": "KMS authorizes the caller before it looks at the key's state (a modelled assumption).",
    "R6.7": "Data keys already in use keep working after their key is disabled.",
    # Roles and STS
    "R7.1": "A role's trust policy says who may assume it.",
    "R7.2": "In one account, a trust policy naming the user suffices, or trusting the account plus an IAM allow.",
    "R7.3": "Across accounts the trust policy must trust the caller and the caller's IAM must allow AssumeRole.",
    "R7.4": "A user named in a trust policy is not limited by their boundary (a modelled assumption).",
    "R7.5": "A trust condition on sts:ExternalId fails when the ID is missing or wrong.",
    "R7.6": "A role session's ARN is assumed-role/ROLE/SESSION, and its PrincipalArn is the role.",
    "R7.7": "A role ARN in a policy matches every session of that role.",
    "R7.8": "Role chaining limits the session to one hour.",
    "R7.9": "A trust policy with Principal * is accepted with a warning.",
    "R7.10": "The caller's SCPs and the role owner's RCPs also judge AssumeRole.",
    # S3 and other services
    "R8.1": "PutObject with SSE-KMS needs kms:GenerateDataKey; GetObject needs kms:Decrypt.",
    "R8.2": "Multipart uploads need GenerateDataKey to start and Decrypt for the parts.",
    "R8.3": "CopyObject decrypts with the source object's key and encrypts with the destination's.",
    "R8.4": "S3 calls KMS as you, with kms:ViaService set to S3; key policy and IAM judge you.",
    "R8.5": "S3 sends the object (or, with a Bucket Key, the bucket) ARN as encryption context.",
    "R8.6": "A Bucket Key lets S3 call KMS far less often.",
    "R8.7": "The SSE-KMS key must be symmetric and in the bucket's Region; no key named means aws/s3.",
    "R8.8": "A bucket-policy Deny on the encryption header also catches uploads that leave the header out.",
    "R8.9": "A bucket policy that denies outside one VPC endpoint blocks every other path, console included.",
    "R8.10": "A cross-account SSE-KMS read needs the bucket side and the key side; aws/s3 objects never work.",
    "R8.11": "Replicating SSE-KMS objects needs opting in, a replica key, and Decrypt and Encrypt for the role.",
    "R8.12": "With Bucket Keys, replication also needs Decrypt on the replica key.",
    "R8.13": "EBS with a customer managed key needs CreateGrant, Decrypt, DescribeKey and data-key permissions.",
    "R8.14": "Sharing an encrypted snapshot means sharing its customer managed key; aws/ebs snapshots cannot be shared.",
    # Cryptography
    "R9.1": "GenerateDataKey returns a data key in plaintext and encrypted; KMS keeps neither.",
    "R9.2": "A symmetric ciphertext names its key, so Decrypt needs no KeyId, and a wrong one fails.",
    "R9.3": "Decrypt must repeat the exact encryption context, or it fails with InvalidCiphertextException.",
    "R9.4": "Encrypt takes at most 4 KB of plaintext with a symmetric key.",
    "R9.5": "ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination.",
    "R9.6": "Decrypt cannot read ciphertext made by the Encryption SDK or S3 client-side encryption.",
}

RULE_RE = re.compile(r"\bR([1-9])\.(\d{1,2})\b")


def line(rule: str) -> str:
    return RULES.get(rule, "")


def sections() -> list[dict]:
    """The glossary page: rules grouped by section, in order."""
    out: dict[str, dict] = {}
    for rule, text in RULES.items():
        head = rule.split(".")[0]
        section = out.setdefault(head, {"id": head, "title": SECTIONS[head], "rules": []})
        section["rules"].append({"id": rule, "text": text})
    return list(out.values())
