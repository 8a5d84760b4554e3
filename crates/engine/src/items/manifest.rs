//! Manifests: objects that list other objects, whose contents are the items.
//!
//! - An S3 inventory manifest (`InputType: MANIFEST`, or `ManifestType: S3_INVENTORY`): the
//!   `manifest.json` S3 Inventory writes. Its `files` are CSV reports (gzipped, as S3 writes
//!   them) in `destinationBucket`, whose columns `fileSchema` names; each row is an item of
//!   strings, as AWS documents: `{"LastModifiedDate": ..., "Bucket": ..., "Size": ...,
//!   "Key": ...}`.
//! - An Athena data manifest (`ManifestType: ATHENA_DATA`): the `-manifest.csv` an `UNLOAD`
//!   query writes, one `s3://bucket/key` a line; each object is read as `InputType` says.

use serde_json::Value;
use switchback_asl::model::{CsvConfig, CsvDelimiter, CsvHeader, ReaderInputType};

use super::ItemReaderError;

/// An object a manifest lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// Its bucket.
    pub bucket: String,
    /// Its key.
    pub key: String,
}

/// What a manifest says to read: its objects, each read as `input_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The objects, in the manifest's order.
    pub objects: Vec<ListedObject>,
    /// How each object is decoded.
    pub input_type: ReaderInputType,
}

/// Reads an S3 inventory `manifest.json`.
pub fn s3_inventory(text: &[u8]) -> Result<Manifest, ItemReaderError> {
    let manifest: Value = serde_json::from_slice(text).map_err(|e| {
        ItemReaderError::new(format!("the S3 inventory manifest is not valid JSON: {e}"))
    })?;
    let field = |name: &str| {
        manifest.get(name).and_then(Value::as_str).ok_or_else(|| {
            ItemReaderError::new(format!(
                "the S3 inventory manifest has no '{name}': is it the manifest.json S3 \
                 Inventory wrote?"
            ))
        })
    };
    let format = field("fileFormat")?;
    if format != "CSV" {
        return Err(ItemReaderError::new(format!(
            "the S3 inventory report is {format}: Step Functions reads inventory reports in \
             CSV format only"
        )));
    }
    let destination = field("destinationBucket")?;
    // `arn:aws:s3:::bucket` (any partition), or a bare bucket name.
    let bucket = destination
        .rsplit_once(":::")
        .map_or(destination, |(_, b)| b)
        .to_string();
    let columns: Vec<String> = field("fileSchema")?
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    let files = manifest
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| ItemReaderError::new("the S3 inventory manifest has no 'files' list"))?;
    let objects = files
        .iter()
        .map(|f| {
            let key = f.get("key").and_then(Value::as_str).ok_or_else(|| {
                ItemReaderError::new("a file of the S3 inventory manifest has no 'key'")
            })?;
            Ok(ListedObject {
                bucket: bucket.clone(),
                key: key.to_string(),
            })
        })
        .collect::<Result<Vec<_>, ItemReaderError>>()?;
    Ok(Manifest {
        objects,
        input_type: ReaderInputType::Csv(CsvConfig {
            header: CsvHeader::Given(columns),
            delimiter: CsvDelimiter::Comma,
        }),
    })
}

/// Reads an Athena data manifest: one `s3://bucket/key` a line, each read as `input_type`.
pub fn athena_data(text: &[u8], input_type: &ReaderInputType) -> Result<Manifest, ItemReaderError> {
    let text = String::from_utf8_lossy(text);
    let objects = text
        .lines()
        .map(|line| line.trim().trim_matches('"'))
        .filter(|line| !line.is_empty())
        .map(|uri| {
            uri.strip_prefix("s3://")
                .and_then(|rest| rest.split_once('/'))
                .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
                .map(|(bucket, key)| ListedObject {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                })
                .ok_or_else(|| {
                    ItemReaderError::new(format!(
                        "the Athena manifest lists '{uri}', which is no s3://bucket/key URI"
                    ))
                })
        })
        .collect::<Result<Vec<_>, ItemReaderError>>()?;
    Ok(Manifest {
        objects,
        input_type: input_type.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inventory_manifest_names_its_reports_and_their_columns() {
        let text = br#"{
            "sourceBucket": "source", "destinationBucket": "arn:aws:s3:::inventory",
            "version": "2016-11-30", "creationTimestamp": "1668560400000",
            "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate",
            "files": [{"key": "source/config/data/a.csv.gz", "size": 7300, "MD5checksum": "x"},
                      {"key": "source/config/data/b.csv.gz", "size": 10, "MD5checksum": "y"}]
        }"#;
        let m = s3_inventory(text).unwrap();
        assert_eq!(
            m.objects,
            [
                ListedObject {
                    bucket: "inventory".into(),
                    key: "source/config/data/a.csv.gz".into()
                },
                ListedObject {
                    bucket: "inventory".into(),
                    key: "source/config/data/b.csv.gz".into()
                }
            ]
        );
        let ReaderInputType::Csv(config) = m.input_type else {
            panic!("CSV reports")
        };
        assert_eq!(
            config.header,
            CsvHeader::Given(vec![
                "Bucket".into(),
                "Key".into(),
                "Size".into(),
                "LastModifiedDate".into()
            ])
        );
        let orc = br#"{"destinationBucket": "arn:aws:s3:::i", "fileFormat": "ORC",
                       "fileSchema": "x", "files": []}"#;
        assert!(s3_inventory(orc)
            .unwrap_err()
            .cause
            .contains("CSV format only"));
        assert!(s3_inventory(b"[1]")
            .unwrap_err()
            .cause
            .contains("no 'fileFormat'"));
        assert!(s3_inventory(b"nope")
            .unwrap_err()
            .cause
            .contains("not valid JSON"));
    }

    #[test]
    fn an_athena_manifest_lists_one_uri_a_line() {
        let m = athena_data(
            b"s3://results/unload/1.gz\n\ns3://results/unload/2.gz\n",
            &ReaderInputType::JsonLines,
        )
        .unwrap();
        assert_eq!(m.objects.len(), 2);
        assert_eq!(m.objects[1].key, "unload/2.gz");
        assert_eq!(m.input_type, ReaderInputType::JsonLines);
        let e = athena_data(b"results/x\n", &ReaderInputType::JsonLines).unwrap_err();
        assert!(e.cause.contains("no s3://bucket/key"), "{e}");
    }
}
