//! The event codes an analyst may give an event beside its kind: a CAMEO code and a
//! PLOVER event type (`code.cameo`, `code.plover`), each checked against its standard —
//! PLOVER's closed set of sixteen event types, CAMEO's pattern (a two-digit root 01 to 20,
//! refined by a third and fourth digit). Without one, `export --format plover` codes the
//! event by its kind (`docs/plover.md`); a given `code.plover` overrides that mapping.

crate::names::closed_set! {
    /// A PLOVER event type (the manual's 16 categories).
    pub enum EventType {
        /// Agree to, offer, promise.
        Agree => "AGREE",
        /// Consultations and meetings.
        Consult => "CONSULT",
        /// Diplomatic, non-material cooperation; sign, ratify, approve.
        Support => "SUPPORT",
        /// Verbal concessions.
        Concede => "CONCEDE",
        /// Mutual material cooperation.
        Cooperate => "COOPERATE",
        /// Material aid.
        Aid => "AID",
        /// Material concessions: withdraw, release, ceasefire.
        Retreat => "RETREAT",
        /// Demands and appeals.
        Request => "REQUEST",
        /// Disapprove, investigate, allege.
        Accuse => "ACCUSE",
        /// Reject or refuse.
        Reject => "REJECT",
        /// Threats.
        Threaten => "THREATEN",
        /// Collective protest.
        Protest => "PROTEST",
        /// Reductions in existing relations.
        Sanction => "SANCTION",
        /// Mobilize forces.
        Mobilize => "MOBILIZE",
        /// Repression and coercion.
        Coerce => "COERCE",
        /// Violence.
        Assault => "ASSAULT",
    }
}

impl EventType {
    /// The quad category: 1 verbal cooperation, 2 material cooperation, 3 verbal
    /// conflict, 4 material conflict (each category's own section of the manual; its
    /// summary table puts SANCTION under verbal conflict, its section under material).
    pub fn quad(self) -> u8 {
        match self {
            EventType::Agree | EventType::Consult | EventType::Support | EventType::Concede => 1,
            EventType::Cooperate | EventType::Aid | EventType::Retreat => 2,
            EventType::Request | EventType::Accuse | EventType::Reject | EventType::Threaten => 3,
            EventType::Protest | EventType::Sanction | EventType::Mobilize | EventType::Coerce | EventType::Assault => {
                4
            }
        }
    }

    /// True for the categories the manual says require a recipient.
    pub fn requires_recipient(self) -> bool {
        matches!(self, EventType::Cooperate | EventType::Aid | EventType::Sanction)
    }
}

/// Why `code` is not a CAMEO event code, or `None` when it is one.
pub fn cameo_problem(code: &str) -> Option<String> {
    let digits = code.bytes().all(|b| b.is_ascii_digit());
    let root = code.get(..2).and_then(|r| r.parse::<u8>().ok());
    if (2..=4).contains(&code.len()) && digits && root.is_some_and(|r| (1..=20).contains(&r)) {
        return None;
    }
    Some(format!(
        "`{code}` is not a CAMEO event code: 2 to 4 digits whose first two are a root from 01 to 20 (`036`, `0311`)"
    ))
}

/// Why `code` is not a PLOVER event type, or `None` when it is one.
pub fn plover_problem(code: &str) -> Option<String> {
    use crate::names::Named;
    if EventType::from_name(code).is_some() {
        return None;
    }
    Some(format!("`{code}` is not a PLOVER event type; the types are {}", EventType::NAMES.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_against_their_standards() {
        // Given PLOVER's closed set, then its types pass and anything else is named with the list.
        assert_eq!(plover_problem("CONSULT"), None);
        let wrong = plover_problem("MAKE_STATEMENT").expect("not a type");
        assert!(wrong.contains("AGREE") && wrong.contains("ASSAULT"), "{wrong}");
        assert!(plover_problem("consult").is_some());
        // Given CAMEO's pattern, then roots 01 to 20 with up to two refinements pass.
        for ok in ["01", "036", "0311", "20", "204"] {
            assert_eq!(cameo_problem(ok), None, "{ok}");
        }
        for bad in ["00", "21", "9", "03111", "3a", "", "99"] {
            assert!(cameo_problem(bad).is_some(), "{bad}");
        }
    }
}
