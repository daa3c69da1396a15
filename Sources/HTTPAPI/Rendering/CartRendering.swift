import Application
import CanonicalJSON
import Domain
import Projections

/// The cart of API.md, written straight to bytes with its members in the sorted order every
/// other answer has (`JSONValue.serialized()`), as orders are (`OrderRendering`): a cart is
/// read on most screens of a shop, and building a `JSONValue` tree and sorting each line's
/// members was a seventh of `GET /v1/cart`.
enum CartRendering {
    /// One line as answered.
    struct Line {
        let skuId: String
        let productId: String
        let title: String
        /// Spec name and value pairs, any order (sorted here).
        let specs: [(name: String, value: String)]
        let priceCents: Int64
        let quantity: Int
        let lineTotalCents: Int64
        let available: Int64
    }

    /// The cart from the read models.
    static func bytes(_ view: CartQueries.View) -> [UInt8] {
        bytes(view.items.map { line in
            Line(skuId: line.skuId, productId: line.productId, title: line.title, specs: line.specs.map { ($0.key, $0.value) },
                 priceCents: line.priceCents, quantity: line.quantity, lineTotalCents: line.lineTotalCents, available: line.available)
        }, totalCents: view.totalCents, version: view.version)
    }

    /// The cart right after a command, from the writer's states; `position` is the log
    /// position of the command's last event.
    static func bytes(_ snapshot: CartSnapshot, position: UInt64) -> [UInt8] {
        var total: Int64 = 0
        let lines = snapshot.lines.map { entry in
            let lineTotal = entry.sku.priceCents * Int64(entry.line.quantity)
            total = total.addingSaturated(lineTotal)
            return Line(skuId: entry.sku.skuId, productId: entry.sku.productId, title: entry.product.title,
                        specs: SpecEntry.uniqueByName(entry.sku.specs), priceCents: entry.sku.priceCents,
                        quantity: entry.line.quantity, lineTotalCents: lineTotal, available: entry.sku.available)
        }
        return bytes(lines, totalCents: total, version: snapshot.version, position: position)
    }

    static func bytes(_ lines: [Line], totalCents: Int64, version: UInt64, position: UInt64? = nil) -> [UInt8] {
        BoundedWriter.bytes(sizeHint: 64 + 256 * lines.count) { out in
            out.member("items", first: true)
            out.array(lines) { line, out in
                out.member("available", first: true)
                out.integer(line.available)
                LineJSON.writeMembers(lineTotalCents: line.lineTotalCents, priceCents: line.priceCents, productId: line.productId,
                                      quantity: line.quantity, skuId: line.skuId, specs: line.specs, title: line.title, first: false, into: &out)
                out.byte(UInt8(ascii: "}"))
            }
            if let position {
                out.member("position")
                out.integer(Int64(position))
            }
            out.member("totalCents")
            out.integer(totalCents)
            out.member("version")
            out.integer(Int64(version))
            out.byte(UInt8(ascii: "}"))
        }
    }
}
