//! Reading and writing [`Json`] with serde, directly (no `serde_json::Value` in between).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use smallvec::SmallVec;

use crate::{Array, Json, Map, Number, Object, Str};

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(text) => s.serialize_str(text),
            Json::Array(items) => items.serialize(s),
            Json::Object(map) => map.serialize(s),
        }
    }
}

impl Serialize for Array {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for item in self.iter() {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(&**k, v)?;
        }
        map.end()
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        KeyString::deserialize(d).map(|k| k.0)
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Object, D::Error> {
        match Json::deserialize(d)? {
            Json::Object(o) => Ok(o),
            _ => Err(de::Error::custom("expected a JSON object")),
        }
    }
}

impl<'de> Deserialize<'de> for Array {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Array, D::Error> {
        match Json::deserialize(d)? {
            Json::Array(a) => Ok(a),
            _ => Err(de::Error::custom("expected a JSON array")),
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.into()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s.into()))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Json::Array(Array::from(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        // The members are gathered first and the map made at its exact size: the text does
        // not say how many there are, and growing the map in steps, then shrinking it to fit
        // (a parsed value is kept, in the history, by every state that shares it) cost more
        // than the members themselves.
        let mut members: SmallVec<[(Str, Json); 8]> = SmallVec::new();
        while let Some(key) = access.next_key::<KeyString>()? {
            let value: Json = access.next_value()?;
            members.push((key.0, value));
        }
        let mut map = Map::with_capacity_and_hasher(members.len(), Default::default());
        // One by one: `extend` reserves ahead and would grow the members' storage to the hash
        // table's capacity. A repeated key keeps its first place and takes its last value.
        for (key, value) in members {
            map.insert(key, value);
        }
        Ok(Json::Object(Object::from(map)))
    }
}

/// An object key, read without an intermediate `String` when the input lends it.
struct KeyString(Str);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyString, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, s: &str) -> Result<KeyString, E> {
                Ok(KeyString(s.into()))
            }
            fn visit_string<E>(self, s: String) -> Result<KeyString, E> {
                Ok(KeyString(s.into()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl std::str::FromStr for Json {
    type Err = serde_json::Error;
    fn from_str(s: &str) -> Result<Json, serde_json::Error> {
        Json::parse(s)
    }
}
