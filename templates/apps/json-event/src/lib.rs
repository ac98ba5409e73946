//! {{project-name}}: a JSON event function. The same code takes an SQS or EventBridge event
//! on Lambda, a plain action's parameters on OpenWhisk, and a POSTed JSON body locally:
//!
//! ```sh
//! cargo faasade dev &
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
    qty: u32,
    unit_cents: u64,
}

#[derive(Serialize)]
struct Receipt {
    order_id: String,
    total_cents: u64,
    handled_by: &'static str,
}

#[faasade::main]
async fn handle(order: Order, cx: Context) -> Result<Receipt> {
    if order.items.is_empty() {
        return Err(Error::bad_request("an order needs at least one item"));
    }
    let total_cents = order
        .items
        .iter()
        .map(|i| i.unit_cents * u64::from(i.qty))
        .sum();
    Ok(Receipt {
        order_id: order.order_id,
        total_cents,
        handled_by: cx.target(),
    })
}
