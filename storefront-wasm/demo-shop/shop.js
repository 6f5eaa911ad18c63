// The demo shop's own script: a cart in localStorage and the GA4-style
// ecommerce events most storefronts already push to window.dataLayer.
// The Floorwalker plugin needs none of this; it reads what the shop does.
const PRODUCTS = {
  "trail-runner": { name: "Trail Runner", price: 12900 },
  "road-racer": { name: "Road Racer", price: 14900 },
  "wool-socks": { name: "Wool Socks", price: 1500 },
};
window.dataLayer = window.dataLayer || [];
const cart = () => JSON.parse(localStorage.getItem("demo.cart") || "[]");
const saveCart = (items) => localStorage.setItem("demo.cart", JSON.stringify(items));
const item = (sku, quantity = 1) => ({ item_id: sku, item_name: PRODUCTS[sku].name, price: PRODUCTS[sku].price / 100, quantity });
const cartValue = () => cart().reduce((sum, l) => sum + PRODUCTS[l.sku].price * l.quantity, 0);
const push = (event, ecommerce) => window.dataLayer.push({ event, ecommerce });

export function viewItem(sku) {
  push("view_item", { currency: "EUR", value: PRODUCTS[sku].price / 100, items: [item(sku)] });
}
export function addToCart(sku) {
  const items = cart();
  const line = items.find((l) => l.sku === sku);
  if (line) line.quantity += 1; else items.push({ sku, quantity: 1 });
  saveCart(items);
  push("add_to_cart", { currency: "EUR", value: PRODUCTS[sku].price / 100, items: [item(sku)] });
  showCart();
}
export function removeFromCart(sku) {
  const items = cart().filter((l) => l.sku !== sku);
  saveCart(items);
  push("remove_from_cart", { currency: "EUR", value: PRODUCTS[sku].price / 100, items: [item(sku)] });
  showCart();
}
export function checkoutStep(step) {
  const event = { 1: "begin_checkout", 2: "add_shipping_info", 3: "add_payment_info" }[step];
  push(event, { currency: "EUR", value: cartValue() / 100, items: cart().map((l) => item(l.sku, l.quantity)) });
}
export function purchase() {
  const value = cartValue();
  push("purchase", { transaction_id: "T" + Date.now(), currency: "EUR", value: value / 100,
                     items: cart().map((l) => item(l.sku, l.quantity)) });
  saveCart([]);
  showCart();
}
export function showCart() {
  const el = document.getElementById("cart-summary");
  if (el) el.textContent = `Cart: ${cart().reduce((n, l) => n + l.quantity, 0)} items, €${(cartValue() / 100).toFixed(2)}`;
}
window.addEventListener("DOMContentLoaded", showCart);
