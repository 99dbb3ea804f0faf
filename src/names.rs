//! Closed sets of names: each enum the log or a report spells out (meeting format and
//! mode, role, response, instrument type and stage, track stage, commitment and
//! principle state) is declared with [`closed_set!`], whose one table gives every
//! variant its name — written in JSON, parsed from JSON and the command line, printed
//! by `Display` — and its words in a sentence. A name cannot differ between them, and
//! no one formats an enum with `{:?}` or rewrites words over a line of user text.
//!
//! The names are persisted (in bodies and snapshots) and therefore frozen, like kinds.

/// One closed set, as [`closed_set!`] declares it.
pub trait Named: Sized + Copy + 'static {
    /// Every member, in declaration order.
    const ALL: &'static [Self];
    /// Every name, in the same order.
    const NAMES: &'static [&'static str];

    /// The name written in JSON and on the command line (`in_person`).
    fn name(self) -> &'static str;

    /// The words used in a sentence (`in-person`): the name, unless the table gives
    /// other words (as it must for every name with `_`: a test holds it).
    fn words(self) -> &'static str;

    /// The member of this name; `None` outside the set.
    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }
}

/// Parses a name as typed on the command line, where `-` may stand for `_`; an unknown
/// one gets the message a JSON line gets, naming every value.
pub fn parse<T: Named>(text: &str) -> Result<T, String> {
    T::from_name(&text.replace('-', "_")).ok_or_else(|| unknown::<T>(text))
}

/// `unknown value `x`, expected one of `a`, `b`, `c``.
pub fn unknown<T: Named>(text: &str) -> String {
    use serde::de::Error as _;
    serde::de::value::Error::unknown_variant(text, T::NAMES).to_string().replacen("variant", "value", 1)
}

/// Declares a closed set: `Variant => "name"` or `Variant => "name" / "words"` per
/// member, with its doc comment. Implements [`Named`], `Display` (the name), and serde
/// (the name, both ways).
macro_rules! closed_set {
    (@words $name:literal) => { $name };
    (@words $name:literal $words:literal) => { $words };
    (
        $(#[$meta:meta])*
        $vis:vis enum $set:ident {
            $($(#[$vmeta:meta])* $variant:ident => $name:literal $(/ $words:literal)?,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $set {
            $($(#[$vmeta])* #[doc = concat!("\n\nWritten `", $name, "`.")] $variant,)*
        }

        impl $crate::names::Named for $set {
            const ALL: &'static [$set] = &[$($set::$variant,)*];
            const NAMES: &'static [&'static str] = &[$($name,)*];

            fn name(self) -> &'static str {
                match self { $($set::$variant => $name,)* }
            }

            fn words(self) -> &'static str {
                match self { $($set::$variant => $crate::names::closed_set!(@words $name $($words)?),)* }
            }

            fn from_name(name: &str) -> Option<$set> {
                match name { $($name => Some($set::$variant),)* _ => None }
            }
        }

        impl $set {
            /// The name written in JSON and on the command line.
            pub fn name(self) -> &'static str {
                $crate::names::Named::name(self)
            }

            /// The words used in a sentence.
            pub fn words(self) -> &'static str {
                $crate::names::Named::words(self)
            }
        }

        impl std::fmt::Display for $set {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        $crate::names::named_serde!($set);
    };
}
pub(crate) use closed_set;

/// Serde for a [`Named`] set, through its one table: serialized as its name, and
/// deserialized from it with serde's own message for an unknown one.
macro_rules! named_serde {
    ($set:ident) => {
        impl serde::Serialize for $set {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::names::Named::name(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $set {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$set, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = $set;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        let names: Vec<String> =
                            <$set as $crate::names::Named>::NAMES.iter().map(|n| format!("`{n}`")).collect();
                        write!(f, "one of {}", names.join(", "))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$set, E> {
                        <$set as $crate::names::Named>::from_name(v)
                            .ok_or_else(|| E::unknown_variant(v, <$set as $crate::names::Named>::NAMES))
                    }
                }
                d.deserialize_str(Visit)
            }
        }
    };
}
pub(crate) use named_serde;
