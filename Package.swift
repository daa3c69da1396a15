// swift-tools-version:6.2
// OrderLog: an event-sourced order platform on LMDB. Targets follow ARCHITECTURE in the README:
// dependencies point down the table only (C shims → storage/crypto helpers → EventStore → Domain →
// Application → Projections → HTTPAPI → executables).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "orderlog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orderlog-server", targets: ["orderlog-server"]),
        .executable(name: "orderlog-replay", targets: ["orderlog-replay"]),
        .executable(name: "orderlog-bench", targets: ["orderlog-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries from Debian, named so they cannot clash with BoringSSL-based modules.
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The allocator every executable runs on (see Application's MemoryAllocator).
        .systemLibrary(name: "CJemalloc", path: "Sources/CJemalloc", pkgConfig: "jemalloc", providers: [.apt(["libjemalloc-dev"])]),
        // jemalloc's options, compiled in (transparent huge pages; see options.c).
        .target(name: "CJemallocOptions", path: "Sources/CJemallocOptions"),

        // Small, shopping-agnostic building blocks.
        .target(name: "LMDB", dependencies: ["CLMDB"], swiftSettings: strict),
        .target(name: "CJSONScan", path: "Sources/CJSONScan"),
        .target(name: "CanonicalJSON", dependencies: ["CJSONScan"], swiftSettings: strict),
        .target(name: "CryptoPrimitives", dependencies: ["CLibCrypto"], swiftSettings: strict),

        // The log: knows nothing about shopping.
        .target(name: "EventStore", dependencies: ["LMDB", "CanonicalJSON", "CryptoPrimitives"], swiftSettings: strict),

        // Business rules: pure (no I/O, clock, randomness or crypto).
        .target(name: "Domain", dependencies: ["CanonicalJSON"], swiftSettings: strict),

        // Command side: the writer's decide step, accounts, payments, personal-data sealing, timers.
        .target(
            name: "Application",
            dependencies: [
                "EventStore", "Domain", "CryptoPrimitives", "CanonicalJSON", "LMDB", "CJemalloc", "CJemallocOptions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Query side: read models built from the log.
        .target(
            name: "Projections",
            dependencies: [
                "EventStore", "Domain", "LMDB", "CanonicalJSON", "CryptoPrimitives",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Projections",
            swiftSettings: strict
        ),

        // The HTTP API on Hummingbird 2: routes, auth, errors, limits, metrics.
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Application", "Projections", "Domain", "EventStore", "CanonicalJSON", "CryptoPrimitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "orderlog-server",
            dependencies: [
                "HTTPAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "orderlog-replay",
            dependencies: [
                "EventStore", "Domain", "Projections", "Application", "CanonicalJSON", "LMDB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/orderlog-replay",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "orderlog-bench",
            dependencies: [
                "EventStore", "CanonicalJSON", "CLMDB", "Application", "Domain", "Projections", "HTTPAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/orderlog-bench",
            swiftSettings: strict
        ),

        // A child process the crash tests SIGKILL mid-append.
        .executableTarget(name: "eventstore-child", dependencies: ["EventStore", "CanonicalJSON"], path: "Tests/Helpers/eventstore-child", swiftSettings: strict),
        // A child process the crash tests SIGKILL between read-model batches.
        .executableTarget(name: "projections-child", dependencies: ["EventStore", "Projections"], path: "Tests/Helpers/projections-child", swiftSettings: strict),

        .testTarget(name: "CanonicalJSONTests", dependencies: ["CanonicalJSON"], swiftSettings: strict),
        // Shared by the test targets: temp dirs, a command-side harness, build-product paths.
        .target(name: "TestSupport", dependencies: ["Application", "Projections", "EventStore", "Domain"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ApplicationTests", dependencies: ["TestSupport", "Application", "Domain", "EventStore", "CryptoPrimitives"], swiftSettings: strict),
        .testTarget(name: "ProjectionsTests", dependencies: ["TestSupport", "Projections", "Application", "Domain", "EventStore", "LMDB", "CanonicalJSON"], swiftSettings: strict),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: [
                "TestSupport", "HTTPAPI", "Application", "Domain", "EventStore", "CanonicalJSON", "CryptoPrimitives", "Projections",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ReplayToolTests", dependencies: ["TestSupport", "Application", "Domain", "EventStore", "Projections", "LMDB", "CanonicalJSON"],
                    swiftSettings: strict),
        .testTarget(name: "BenchToolTests", dependencies: ["TestSupport"], swiftSettings: strict),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "CanonicalJSON"], swiftSettings: strict),
        .testTarget(name: "EventStoreTests", dependencies: ["TestSupport", "EventStore", "LMDB", "CanonicalJSON"], swiftSettings: strict),
    ]
)
