//! The names Step Functions gives a service's members in `aws-sdk:*` parameters and results.
//!
//! Step Functions calls services with the AWS SDK for Java 2.x and names each member after
//! the SDK's accessor, in PascalCase: the member's name with its leading run of capitals
//! lowered (the SDK's `unCapitalize`: `BOOL` → `bool`, `ETag` → `eTag`, `SS` → `ss`,
//! `DBInstanceIdentifier` → `dbInstanceIdentifier`), then its first letter raised. So SFN's
//! `stateMachineArn` is `StateMachineArn`, DynamoDB's `BOOL` is `Bool` and `SS` is `Ss`, RDS's
//! `DBInstanceIdentifier` is `DbInstanceIdentifier`, S3's `ETag` stays `ETag`. Accessors that
//! would clash with Java's words are renamed as the SDK renames them: `NULL` is `Nul`,
//! `Equals` is `EqualsValue` (AWS's documentation names this one).

use std::borrow::Cow;

/// The name Step Functions uses for the member `name`.
pub(crate) fn pascal(name: &str) -> Cow<'_, str> {
    match name {
        "NULL" | "Null" | "null" => return Cow::Borrowed("Nul"),
        "Equals" | "equals" => return Cow::Borrowed("EqualsValue"),
        _ => {}
    }
    let bytes = name.as_bytes();
    // The leading capitals that the SDK lowers: all of a run, but the last when a lowercase
    // letter follows it (it starts the next word).
    let mut run = bytes.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if run > 1 && run < bytes.len() && bytes[run].is_ascii_lowercase() {
        run -= 1;
    }
    if run <= 1 {
        // One capital, or none: the first letter raised is the name.
        if bytes.first().is_some_and(u8::is_ascii_uppercase) {
            return Cow::Borrowed(name);
        }
        let mut out = String::with_capacity(name.len());
        let mut chars = name.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
        }
        out.push_str(chars.as_str());
        return Cow::Owned(out);
    }
    let mut out = String::with_capacity(name.len());
    out.push(bytes[0] as char);
    out.extend(bytes[1..run].iter().map(|b| b.to_ascii_lowercase() as char));
    out.push_str(&name[run..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_the_sdk_names_them() {
        for (member, name) in [
            ("stateMachineArn", "StateMachineArn"),
            ("S", "S"),
            ("BOOL", "Bool"),
            ("SS", "Ss"),
            ("NULL", "Nul"),
            ("ETag", "ETag"),
            ("ContentMD5", "ContentMD5"),
            ("DBInstanceIdentifier", "DbInstanceIdentifier"),
            ("KMSKeyId", "KmsKeyId"),
            ("TableName", "TableName"),
            ("input", "Input"),
            ("Equals", "EqualsValue"),
            ("IOPS", "Iops"),
            ("x", "X"),
        ] {
            assert_eq!(pascal(member), name, "{member}");
        }
    }
}
