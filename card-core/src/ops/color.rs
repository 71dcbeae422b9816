//! The card background colours (`base_info.color`).

use crate::client::CardClient;

/// One card background colour: the name a card document carries and the colour it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardColor {
    /// The name to put in `base_info.color`, such as `"Color010"`.
    pub name: &'static str,
    /// The colour in hex (`#63b359`), as wechatpy's source writes it.
    pub value: &'static str,
}

/// The 14 documented card colours, with the hex values wechatpy's source lists for them.
pub const CARD_COLORS: &[CardColor] = &[
    CardColor {
        name: "Color010",
        value: "#63b359",
    },
    CardColor {
        name: "Color020",
        value: "#2c9f67",
    },
    CardColor {
        name: "Color030",
        value: "#509fc9",
    },
    CardColor {
        name: "Color040",
        value: "#5885cf",
    },
    CardColor {
        name: "Color050",
        value: "#9062c0",
    },
    CardColor {
        name: "Color060",
        value: "#d09a45",
    },
    CardColor {
        name: "Color070",
        value: "#e4b138",
    },
    CardColor {
        name: "Color080",
        value: "#ee903c",
    },
    CardColor {
        name: "Color081",
        value: "#f08500",
    },
    CardColor {
        name: "Color082",
        value: "#a9d92d",
    },
    CardColor {
        name: "Color090",
        value: "#dd6549",
    },
    CardColor {
        name: "Color100",
        value: "#cc463d",
    },
    CardColor {
        name: "Color101",
        value: "#cf3e36",
    },
    CardColor {
        name: "Color102",
        value: "#5E6671",
    },
];

impl CardClient {
    /// The 14 card background colours, names and hex values; no request is made.
    ///
    /// Differs from wechatpy: wechatpy also answers without a request (since 2022, when WeChat
    /// retired `GET card/getcolors`) but returns only the names; the hex values it keeps in
    /// source comments are returned here too.
    pub fn get_colors(&self) -> &'static [CardColor] {
        CARD_COLORS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourteen_distinct_colours_with_hex_values() {
        assert_eq!(CARD_COLORS.len(), 14);
        let mut names: Vec<&str> = CARD_COLORS.iter().map(|c| c.name).collect();
        names.dedup();
        assert_eq!(names.len(), 14);
        for color in CARD_COLORS {
            assert!(color.name.starts_with("Color"), "{color:?}");
            assert_eq!(color.value.len(), 7, "{color:?}");
            assert!(color.value.starts_with('#'), "{color:?}");
            assert!(
                color.value[1..].bytes().all(|b| b.is_ascii_hexdigit()),
                "{color:?}"
            );
        }
    }
}
