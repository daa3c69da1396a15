/// Every projection the server runs, in the order they apply each batch.
public enum AllProjections {
    public static func make() -> [any Projection] {
        [CatalogProjection(), SearchProjection(), CartsProjection(), OrdersProjection(), SalesProjection(), SupportProjection(), AccountsProjection()]
    }
}
