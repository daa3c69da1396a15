import Application
import Domain
import EventStore

/// The demo shop `--seed-demo` fills an empty log with, so a newcomer sees a living catalog.
enum DemoCatalog {
    struct Item {
        let id: String
        let title: String
        let category: String
        let tags: [String]
        let description: String
        let skus: [(suffix: String, specs: [String: String], price: Int64, stock: Int64)]
    }

    static let items: [Item] = [
        Item(id: "phone-huawei-p70", title: "华为智能手机 Pro", category: "手机", tags: ["5G", "华为"], description: "麒麟芯片，超感知影像，昆仑玻璃。",
             skus: [("black-256", ["颜色": "曜金黑", "存储": "256GB"], 699_900, 120), ("white-512", ["颜色": "雪域白", "存储": "512GB"], 799_900, 80)]),
        Item(id: "phone-xiaomi-14", title: "小米 14 徕卡影像手机", category: "手机", tags: ["5G", "小米", "徕卡"], description: "徕卡光学镜头，骁龙旗舰芯片。",
             skus: [("black-256", ["颜色": "黑色", "存储": "256GB"], 399_900, 200), ("green-512", ["颜色": "岩石青", "存储": "512GB"], 459_900, 150)]),
        Item(id: "phone-iphone-15", title: "Apple iPhone 15", category: "手机", tags: ["5G", "苹果"], description: "灵动岛，4800 万像素主摄。",
             skus: [("pink-128", ["颜色": "粉色", "存储": "128GB"], 599_900, 90)]),
        Item(id: "laptop-thinkpad-x1", title: "联想 ThinkPad X1 Carbon 笔记本电脑", category: "电脑", tags: ["轻薄", "商务"], description: "14 英寸 2.8K 屏，碳纤维机身。",
             skus: [("i7-32", ["处理器": "i7", "内存": "32GB"], 1_299_900, 40)]),
        Item(id: "laptop-macbook-air", title: "Apple MacBook Air 13 英寸", category: "电脑", tags: ["轻薄", "苹果"], description: "M3 芯片，18 小时续航。",
             skus: [("m3-16", ["芯片": "M3", "内存": "16GB"], 899_900, 60), ("m3-24", ["芯片": "M3", "内存": "24GB"], 1_049_900, 30)]),
        Item(id: "tablet-ipad-air", title: "Apple iPad Air 平板电脑", category: "电脑", tags: ["平板", "苹果"], description: "11 英寸 Liquid 视网膜屏。",
             skus: [("wifi-128", ["网络": "WLAN", "存储": "128GB"], 479_900, 70)]),
        Item(id: "earbuds-airpods-pro", title: "Apple AirPods Pro 无线降噪耳机", category: "耳机", tags: ["降噪", "蓝牙", "苹果"], description: "主动降噪，空间音频。",
             skus: [("usb-c", ["接口": "USB-C"], 189_900, 300)]),
        Item(id: "earbuds-huawei-freebuds", title: "华为 FreeBuds Pro 3 真无线耳机", category: "耳机", tags: ["降噪", "蓝牙", "华为"], description: "星闪连接，智慧动态降噪。",
             skus: [("white", ["颜色": "陶瓷白"], 149_900, 250), ("green", ["颜色": "雅川青"], 149_900, 120)]),
        Item(id: "headphones-sony-xm5", title: "索尼 WH-1000XM5 头戴式降噪耳机", category: "耳机", tags: ["降噪", "头戴"], description: "8 麦克风降噪，30 小时续航。",
             skus: [("black", ["颜色": "黑色"], 249_900, 100)]),
        Item(id: "appliance-dyson-v12", title: "戴森 V12 无线吸尘器", category: "家电", tags: ["清洁", "无线"], description: "激光探测灰尘，智能调节吸力。",
             skus: [("standard", ["版本": "标准版"], 439_900, 50)]),
        Item(id: "appliance-midea-fridge", title: "美的 十字对开门冰箱 508 升", category: "家电", tags: ["冰箱", "一级能效"], description: "风冷无霜，变频节能。",
             skus: [("silver", ["颜色": "银色"], 329_900, 25)]),
        Item(id: "appliance-gree-ac", title: "格力 云佳 1.5 匹变频空调", category: "家电", tags: ["空调", "一级能效"], description: "新一级能效，自清洁。",
             skus: [("1-5hp", ["匹数": "1.5 匹"], 279_900, 40)]),
        Item(id: "kitchen-supor-rice", title: "苏泊尔 球釜电饭煲 4 升", category: "家电", tags: ["厨房", "电饭煲"], description: "球釜内胆，24 小时预约。",
             skus: [("4l", ["容量": "4L"], 39_900, 200)]),
        Item(id: "apparel-uniqlo-down", title: "优衣库 男装 高级轻型羽绒服", category: "服饰", tags: ["羽绒服", "冬季"], description: "轻薄保暖，可收纳。",
             skus: [("navy-m", ["颜色": "藏青", "尺码": "M"], 49_900, 150), ("navy-l", ["颜色": "藏青", "尺码": "L"], 49_900, 150), ("black-xl", ["颜色": "黑色", "尺码": "XL"], 49_900, 100)]),
        Item(id: "apparel-lining-shoes", title: "李宁 超轻 21 跑步鞋", category: "服饰", tags: ["运动", "跑鞋"], description: "䨻科技中底，轻弹回馈。",
             skus: [("white-42", ["颜色": "白色", "尺码": "42"], 59_900, 80), ("black-43", ["颜色": "黑色", "尺码": "43"], 59_900, 80)]),
        Item(id: "apparel-anta-hoodie", title: "安踏 连帽卫衣 加绒", category: "服饰", tags: ["卫衣", "运动"], description: "加绒保暖，宽松版型。",
             skus: [("grey-l", ["颜色": "灰色", "尺码": "L"], 19_900, 300)]),
        Item(id: "food-three-squirrels", title: "三只松鼠 每日坚果 30 袋", category: "食品", tags: ["坚果", "零食"], description: "科学配比，每日一袋。",
             skus: [("30", ["规格": "30 袋"], 12_900, 500)]),
        Item(id: "food-moutai-feitian", title: "贵州茅台 飞天 53 度 500ml", category: "食品", tags: ["白酒", "茅台"], description: "酱香型白酒，限量抢购。",
             skus: [("500ml", ["规格": "500ml"], 149_900, 20)]),
        Item(id: "food-yili-milk", title: "伊利 金典 纯牛奶 250ml×12 盒", category: "食品", tags: ["牛奶", "早餐"], description: "3.6g 乳蛋白，有机牧场。",
             skus: [("12", ["规格": "12 盒"], 6_500, 800)]),
        Item(id: "book-three-body", title: "三体 全集（刘慈欣）", category: "图书", tags: ["科幻", "小说"], description: "雨果奖获奖作品，地球往事三部曲。",
             skus: [("set", ["版本": "典藏版"], 9_900, 400)]),
        Item(id: "book-swift-guide", title: "Swift 编程权威指南", category: "图书", tags: ["编程", "Swift"], description: "从入门到服务器端开发。",
             skus: [("paper", ["版本": "纸质书"], 8_900, 120)]),
        Item(id: "beauty-estee-serum", title: "雅诗兰黛 小棕瓶精华 50ml", category: "美妆", tags: ["护肤", "精华"], description: "修护维稳，淡化细纹。",
             skus: [("50ml", ["规格": "50ml"], 89_900, 150)]),
        Item(id: "beauty-mac-lipstick", title: "MAC 魅可 子弹头口红", category: "美妆", tags: ["彩妆", "口红"], description: "经典哑光质地。",
             skus: [("chili", ["色号": "Chili"], 17_000, 300), ("ruby-woo", ["色号": "Ruby Woo"], 17_000, 300)]),
        Item(id: "sports-keep-mat", title: "Keep 瑜伽垫 加厚 10mm", category: "运动", tags: ["瑜伽", "健身"], description: "防滑回弹，附绑带。",
             skus: [("purple", ["颜色": "紫色"], 9_900, 400)]),
    ]

    /// Seeds the demo catalog unless a product has ever been created.
    static func seedIfEmpty(processor: CommandProcessor, store: EventStore) async throws -> Bool {
        guard try !store.hasStream(withPrefix: "product-") else { return false }
        for item in items {
            let skus = item.skus.map { Sku.Definition(skuId: item.id + "-" + $0.suffix, specs: SpecEntry.list(from: $0.specs), priceCents: $0.price,
                                                      limitPerUser: item.id == "food-moutai-feitian" ? 2 : nil) }
            _ = try await processor.createProduct(Product.Create(
                productId: item.id, title: item.title, description: item.description, category: item.category, tags: item.tags,
                imageUrls: ["https://img.example.com/orderlog/\(item.id).jpg"], skus: skus, now: processor.clock.now()), metadata: processor.systemMetadata())
            for sku in item.skus {
                _ = try await processor.changeSku(skuId: item.id + "-" + sku.suffix, .restock(sku.stock), metadata: processor.systemMetadata())
            }
        }
        return true
    }
}
