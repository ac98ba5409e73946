//! A JSON event function: the same code answers a queue message on Lambda, a plain action on
//! OpenWhisk, and a `POST` with the event as its body locally:
//!
//! ```sh
//! cargo run -p event &
//! curl -d '{"order_id":"o-1","items":[{"sku":"a","qty":2,"unit_cents":150}]}' localhost:3000
//! ```

use faasade::{Context, Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Order {
    order_id: String,
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    sku: String,
    qty: u32,
    unit_cents: u64,
}

#[derive(Serialize)]
struct Receipt {
    order_id: String,
    total_cents: u64,
    lines: usize,
    handled_by: &'static str,
}

#[faasade::main]
async fn handle(order: Order, cx: Context) -> Result<Receipt> {
    if order.items.is_empty() {
        return Err(Error::bad_request("an order needs at least one item"));
    }
    if let Some(item) = order.items.iter().find(|i| i.qty == 0) {
        return Err(Error::bad_request(format!(
            "item {} has quantity 0",
            item.sku
        )));
    }
    let total_cents = order
        .items
        .iter()
        .map(|i| i.unit_cents * u64::from(i.qty))
        .sum();
    Ok(Receipt {
        order_id: order.order_id,
        total_cents,
        lines: order.items.len(),
        handled_by: cx.target(),
    })
}
