//! The phrases complaints are assembled from: openings, where and what happened after, demands,
//! statuses, and service complaints with no safety content.

/// Service complaints with no safety content: (title, text). `{p}` is a product word.
pub static SERVICE_COMPLAINTS: &[(&str, &str)] = &[
    (
        "{p}下单半个月仍未发货",
        "下单付款后商家一直显示待发货，联系客服只回复“尽快安排”，至今已经过去十五天，要求商家立即发货或全额退款。",
    ),
    (
        "退货寄回后商家迟迟不退款",
        "{p}尺寸不合适申请了七天无理由退货，快递显示商家已签收十天，退款一直没有到账，客服电话无人接听。",
    ),
    (
        "收到的{p}颜色型号与订单不符",
        "订单上写的是白色款，收到的却是灰色旧款，商家让我自己承担来回运费，我认为不合理。",
    ),
    (
        "物流信息长期不更新",
        "购买的{p}物流信息停在中转站一周没有更新，平台客服和快递公司互相推诿。",
    ),
    (
        "会员自动续费未提示",
        "购买{p}时被默认勾选了平台会员，每月自动扣费二十九元，事先没有任何明显提示，要求退还已扣款项。",
    ),
    (
        "预售商品多次延期发货",
        "{p}页面承诺七天内发货，结果先后三次延期，商家单方面修改发货时间，要求按规定赔付。",
    ),
    (
        "优惠券无法叠加与宣传不一致",
        "活动页面写明可以叠加满减券，结算时却提示不可使用，实际多付了六十元，要求补偿差价。",
    ),
    (
        "商家拒绝开具发票",
        "购买{p}后申请开具电子发票，商家以活动商品为由拒绝，要求商家依法开票。",
    ),
    (
        "二次销售的{p}包装有拆封痕迹",
        "收到的{p}外包装已被拆开，配件有使用过的痕迹，疑似退货商品再次销售，要求换新。",
    ),
    (
        "售后维修收费过高",
        "{p}过了保修期送修，售后报价比新机价格还高一半，检测费也不退，认为收费不合理。",
    ),
];

/// Complaint openings: `{md}` date, `{pl}` platform, `{shop}`, `{p}` product, `{who}` a family member.
pub static COMPLAINT_OPENINGS: &[&str] = &[
    "本人于{md}在{pl}“{shop}”购买了一款{p}，",
    "{md}通过{pl}下单买了{p}，商家是{shop}，",
    "家里{who}前段时间在{pl}的{shop}买了{p}，",
    "我在{pl}{shop}买了两个{p}，{md}收到货，",
];

pub static WHO: &[&str] = &["老人", "孩子", "爱人", "母亲", "父亲"];

/// Where the event happened: `{place}`.
pub static COMPLAINT_PLACES: &[&str] = &[
    "事发地在{place}。",
    "本人现居{place}。",
    "我是{place}的消费者。",
    "事发地点：{place}。",
];

/// After a fire or explosion.
pub static AFTER_FIRE: &[&str] = &[
    "现场一股刺鼻的焦糊味，周围的物品被熏黑烧坏了好几样。",
    "火被扑灭后，周边的东西都熏黑了，财物损失不小。",
    "当时一家人都吓坏了，现在想起来还后怕。",
    "现场照片和购买记录我都保存好了。",
];

/// After an electric shock.
pub static AFTER_SHOCK: &[&str] = &[
    "当时手臂发麻好一阵，后来去医院做了心电图检查。",
    "家里人吓得不轻，已经把插头拔掉不敢再用。",
    "请电工上门检测，确认是产品本身的问题。",
];

/// After other injuries.
pub static AFTER_INJURY: &[&str] = &[
    "到医院处理花了几百元医药费。",
    "去医院检查后医生建议观察几天。",
    "伤口处理了好几次，至今还没完全好。",
];

pub static DEMANDS: &[&str] = &[
    "联系商家后对方只同意退货，拒绝承担任何损失，现要求商家赔偿并说明原因。",
    "客服一直拖延处理，请求有关部门介入调查这批产品。",
    "要求商家退款并赔偿损失，同时希望平台下架该商品，避免其他人受害。",
    "商家称是使用不当，我不认可，希望监管部门依法处理。",
];

pub static STATUSES: &[&str] = &["已受理", "处理中", "已办结"];
