//! What simulated shoppers do: four kinds of shopper, each a plan of steps
//! with realistic pauses through the demo shop's pages.

use std::fmt;
use std::str::FromStr;

/// A kind of shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Looks at a few pages and products, buys nothing.
    Browser,
    /// Goes back and forth between two products and lingers: looks stuck.
    Comparer,
    /// Fills the cart, starts the checkout, reaches for the tabs and leaves.
    Abandoner,
    /// Fills the cart and completes the order.
    Buyer,
}

impl Behaviour {
    /// Every kind, in the order `--mix` names them.
    pub const ALL: [Self; 4] = [Self::Browser, Self::Comparer, Self::Abandoner, Self::Buyer];

    /// The kind's name in `--mix` (plural).
    pub fn name(self) -> &'static str {
        match self {
            Self::Browser => "browsers",
            Self::Comparer => "comparers",
            Self::Abandoner => "abandoners",
            Self::Buyer => "buyers",
        }
    }
}

/// How many of each kind, relatively (`browsers=4,comparers=2,...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mix([u32; 4]);

impl Default for Mix {
    fn default() -> Self {
        Self([4, 2, 2, 2])
    }
}

impl Mix {
    /// A kind drawn by weight.
    pub fn pick(&self, rng: &mut fastrand::Rng) -> Behaviour {
        let total: u32 = self.0.iter().sum();
        let mut n = rng.u32(0..total.max(1));
        for (kind, weight) in Behaviour::ALL.iter().zip(self.0) {
            if n < weight {
                return *kind;
            }
            n -= weight;
        }
        Behaviour::Browser
    }
}

impl FromStr for Mix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut weights = [0; 4];
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not name=weight"))?;
            let index = Behaviour::ALL
                .iter()
                .position(|b| b.name() == name.trim())
                .ok_or_else(|| {
                    format!(
                        "unknown kind '{}'; kinds: browsers, comparers, abandoners, buyers",
                        name.trim()
                    )
                })?;
            weights[index] = weight
                .trim()
                .parse()
                .map_err(|_| format!("'{}' is not a whole number", weight.trim()))?;
        }
        if weights.iter().all(|w| *w == 0) {
            return Err("give at least one kind a weight above 0".to_owned());
        }
        Ok(Self(weights))
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Behaviour::ALL
            .iter()
            .zip(self.0)
            .map(|(b, w)| format!("{}={w}", b.name()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// A product of the demo shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    pub sku: &'static str,
    pub name: &'static str,
    /// Price in cents.
    pub price: u64,
}

/// The demo shop's products (as its `shop.js` lists them).
pub const PRODUCTS: [Product; 3] = [
    Product {
        sku: "trail-runner",
        name: "Trail Runner",
        price: 12_900,
    },
    Product {
        sku: "road-racer",
        name: "Road Racer",
        price: 14_900,
    },
    Product {
        sku: "wool-socks",
        name: "Wool Socks",
        price: 1_500,
    },
];

/// How a shopper arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub query: &'static str,
    pub referrer: &'static str,
}

const ARRIVALS: [Arrival; 4] = [
    Arrival {
        query: "",
        referrer: "https://www.google.com/",
    },
    Arrival {
        query: "?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        referrer: "",
    },
    Arrival {
        query: "?utm_source=instagram&utm_medium=social",
        referrer: "https://l.instagram.com/",
    },
    Arrival {
        query: "",
        referrer: "",
    },
];

/// One thing a shopper does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Arrives on a page.
    Land {
        path: &'static str,
        arrival: Arrival,
    },
    /// Goes to another page.
    Go { path: &'static str },
    /// A product page: the page and its `view_item`.
    Product(Product),
    /// `add_to_cart`.
    AddToCart(Product),
    /// The shop's search.
    Search(&'static str),
    /// A checkout page and its GA4 event.
    Checkout {
        path: &'static str,
        event: &'static str,
    },
    /// The order page and `purchase`.
    Purchase,
    /// The pointer goes for the tabs.
    ExitIntent,
    /// Closes the tab.
    Leave,
}

/// An act after a pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Pause before it, in ms (at speed 1).
    pub after_ms: u64,
    pub act: Act,
}

/// The title of a demo shop page.
pub fn title(path: &str) -> &'static str {
    match path {
        "/shoes.html" => "Shoes · Floorwalker demo shop",
        "/trail-runner.html" => "Trail Runner · Floorwalker demo shop",
        "/road-racer.html" => "Road Racer · Floorwalker demo shop",
        "/wool-socks.html" => "Wool Socks · Floorwalker demo shop",
        "/cart.html" => "Cart · Floorwalker demo shop",
        "/checkout-address.html" => "Checkout: address · Floorwalker demo shop",
        "/checkout-shipping.html" => "Checkout: shipping · Floorwalker demo shop",
        "/checkout-payment.html" => "Checkout: payment · Floorwalker demo shop",
        "/order-confirmed.html" => "Order confirmed · Floorwalker demo shop",
        // The home page, and any other.
        _ => "Floorwalker demo shop",
    }
}

/// The page of a product.
pub fn page_of(product: Product) -> &'static str {
    match product.sku {
        "trail-runner" => "/trail-runner.html",
        "road-racer" => "/road-racer.html",
        _ => "/wool-socks.html",
    }
}

/// A shopper's plan: steps with pauses of a few seconds to a few minutes.
pub fn plan(kind: Behaviour, rng: &mut fastrand::Rng) -> Vec<Step> {
    let mut s = Vec::new();
    let mut step = |rng: &mut fastrand::Rng, secs: std::ops::Range<u64>, act: Act| {
        s.push(Step {
            after_ms: rng.u64(secs) * 1_000,
            act,
        });
    };
    let arrival = ARRIVALS[rng.usize(..ARRIVALS.len())].clone();
    let shoes = PRODUCTS[rng.usize(..2)];
    let other = if shoes.sku == "trail-runner" {
        PRODUCTS[1]
    } else {
        PRODUCTS[0]
    };
    step(rng, 0..1, Act::Land { path: "/", arrival });
    step(
        rng,
        4..15,
        Act::Go {
            path: "/shoes.html",
        },
    );
    match kind {
        Behaviour::Browser => {
            if rng.bool() {
                step(rng, 3..10, Act::Search("running shoes"));
            }
            step(rng, 5..20, Act::Product(shoes));
            if rng.bool() {
                step(rng, 10..40, Act::Product(PRODUCTS[2]));
            }
            step(rng, 10..60, Act::Leave);
        }
        Behaviour::Comparer => {
            step(rng, 5..15, Act::Product(shoes));
            step(rng, 15..40, Act::Product(other));
            step(rng, 15..40, Act::Product(shoes));
            step(rng, 20..40, Act::Product(other));
            step(rng, 20..40, Act::Product(shoes));
            // Lingers: long enough to look stuck.
            step(rng, 120..240, Act::Leave);
        }
        Behaviour::Abandoner => {
            step(rng, 5..20, Act::Product(shoes));
            step(rng, 10..30, Act::AddToCart(shoes));
            step(rng, 3..10, Act::Go { path: "/cart.html" });
            step(
                rng,
                10..30,
                Act::Checkout {
                    path: "/checkout-address.html",
                    event: "begin_checkout",
                },
            );
            step(
                rng,
                20..60,
                Act::Checkout {
                    path: "/checkout-shipping.html",
                    event: "add_shipping_info",
                },
            );
            step(rng, 30..90, Act::ExitIntent);
            step(rng, 60..180, Act::Leave);
        }
        Behaviour::Buyer => {
            step(rng, 5..20, Act::Product(shoes));
            step(rng, 5..20, Act::AddToCart(shoes));
            if rng.bool() {
                step(rng, 5..15, Act::Product(PRODUCTS[2]));
                step(rng, 3..10, Act::AddToCart(PRODUCTS[2]));
            }
            step(rng, 3..10, Act::Go { path: "/cart.html" });
            for (path, event) in [
                ("/checkout-address.html", "begin_checkout"),
                ("/checkout-shipping.html", "add_shipping_info"),
                ("/checkout-payment.html", "add_payment_info"),
            ] {
                step(rng, 15..45, Act::Checkout { path, event });
            }
            step(rng, 10..30, Act::Purchase);
            step(rng, 5..20, Act::Leave);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_reads_names_and_weights_and_says_what_is_wrong() {
        let mix: Mix = "browsers=1,buyers=3".parse().unwrap();
        assert_eq!(
            mix.to_string(),
            "browsers=1,comparers=0,abandoners=0,buyers=3"
        );
        assert!(
            "lurkers=2"
                .parse::<Mix>()
                .unwrap_err()
                .contains("unknown kind 'lurkers'")
        );
        assert!(
            "browsers=x"
                .parse::<Mix>()
                .unwrap_err()
                .contains("'x' is not a whole number")
        );
        assert!("browsers=0".parse::<Mix>().is_err());
        let mut rng = fastrand::Rng::with_seed(7);
        let only_buyers: Mix = "buyers=1".parse().unwrap();
        assert!((0..50).all(|_| only_buyers.pick(&mut rng) == Behaviour::Buyer));
    }

    #[test]
    fn every_plan_lands_first_and_leaves_last_and_buyers_buy() {
        let mut rng = fastrand::Rng::with_seed(1);
        for kind in Behaviour::ALL {
            for _ in 0..20 {
                let plan = plan(kind, &mut rng);
                assert!(matches!(plan[0].act, Act::Land { .. }), "{kind:?}");
                assert_eq!(plan.last().unwrap().act, Act::Leave, "{kind:?}");
                let bought = plan.iter().any(|s| s.act == Act::Purchase);
                assert_eq!(bought, kind == Behaviour::Buyer, "{kind:?}");
                let exit = plan.iter().any(|s| s.act == Act::ExitIntent);
                assert_eq!(exit, kind == Behaviour::Abandoner, "{kind:?}");
            }
        }
    }
}
