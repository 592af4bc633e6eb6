// Compiled by `npm run check` against the generated types: if the document stops describing these shapes, the
// type check fails.
import type { components, operations, paths } from "./build/momentum";

type ErrorBody = components["schemas"]["ErrorBody"];
type Purchase = components["schemas"]["Purchase"];
type PurchaseResponses = operations["purchase"]["responses"];

// A purchase answers 201 with a Purchase, or 409 with the error shape (insufficient_coins, out_of_stock, …).
export function describePurchase(status: 201 | 409, body: Purchase | ErrorBody): string {
  if (status === 409 && "error" in body) {
    return body.error.code === "insufficient_coins" ? "Not enough coins" : body.error.message;
  }
  return "id" in body ? `Bought ${body.item_id}` : "";
}

export type Created = PurchaseResponses[201]["content"]["application/json"];
export type Conflict = PurchaseResponses[409]["content"]["application/json"];
export type WalletPath = paths["/me/wallet"]["get"];
