//! Charset detection and decoding. Chinese sites still serve GBK, GB18030 and Big5, often with a
//! wrong or missing header; the order of trust is: BOM, Content-Type header, an XML declaration,
//! `<meta>` tag in the first 2 KiB, then statistical detection (chardetng). Two repairs (see
//! [`sniff`]): UTF-8 bytes beat a legacy declaration, and GBK and Big5 are told apart by which
//! decodes to likely Chinese. Decoding never fails: bytes that are not valid in the chosen
//! encoding become U+FFFD and the page goes on.

use encoding_rs::{Encoding, UTF_8};

use crate::model::Fetched;

/// The encoding a body decodes with, where that answer came from, and the declaration it
/// overrode, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: &'static Encoding,
    /// `bom`, `header`, `xml-declaration`, `meta`, `utf-8` (valid UTF-8, nothing declared),
    /// `utf-8-bytes` (UTF-8 over a declaration), `detected`, or `implausible` (no candidate
    /// decodes to likely Chinese: EUC-TW, or bytes that are no text; such a page yields no
    /// document, counted `bad-charset`, though its links are still followed).
    pub from: &'static str,
    /// The declaration that was not followed: where it was and what it said.
    pub overrode: Option<(&'static str, &'static Encoding)>,
}

/// The encoding a body should be decoded with, and where that answer came from.
pub fn detect(body: &[u8], content_type: Option<&str>) -> (&'static Encoding, &'static str) {
    let s = sniff(body, content_type);
    (s.encoding, s.from)
}

/// Chooses the encoding of a body. Order of trust: BOM, Content-Type header, XML declaration,
/// `<meta>` in the first 2 KiB, then detection. Two repairs of what the real web declares: a
/// declared non-UTF-8 encoding loses to bytes that are UTF-8 with multi-byte characters (a CMS
/// migrated without its templates, a saved page; a stray invalid byte or two is tolerated), and
/// an undeclared page is read as GBK or Big5 by which of the two decodes to likely Chinese (the
/// statistical detector leans to GBK with a `.cn` hint, and many Big5 byte strings are valid
/// GBK too).
pub fn sniff(body: &[u8], content_type: Option<&str>) -> Sniffed {
    let plain = |encoding, from| Sniffed {
        encoding,
        from,
        overrode: None,
    };
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return plain(enc, "bom");
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(label)
        .map(|e| (e, "header"))
        .or_else(|| xml_declared(body).map(|e| (e, "xml-declaration")))
        .or_else(|| meta_charset(&body[..body.len().min(2048)]).map(|e| (e, "meta")));
    if let Some((enc, from)) = declared {
        // UTF-16 labels on a byte stream without a BOM are treated as UTF-8 by browsers too
        if enc != UTF_8 && enc.is_ascii_compatible() && mostly_utf8(body) {
            return Sniffed {
                encoding: UTF_8,
                from: "utf-8-bytes",
                overrode: Some((from, enc)),
            };
        }
        return plain(enc, from);
    }
    if std::str::from_utf8(body).is_ok() {
        return plain(UTF_8, "utf-8");
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(body, true);
    let guess = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if guess != encoding_rs::GBK && guess != encoding_rs::BIG5 {
        return plain(guess, "detected");
    }
    let score = |enc: &'static Encoding| {
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        (!had_errors).then(|| plausibility(&text)).flatten()
    };
    match (score(encoding_rs::GB18030), score(encoding_rs::BIG5)) {
        (Some(gb), Some(big5)) if gb.max(big5) < IMPLAUSIBLE => plain(guess, "implausible"),
        (Some(gb), Some(big5)) if big5 > gb => plain(encoding_rs::BIG5, "detected"),
        (Some(_), Some(_)) => plain(encoding_rs::GBK, "detected"),
        (Some(gb), None) if gb < IMPLAUSIBLE => plain(encoding_rs::GBK, "implausible"),
        (None, Some(big5)) if big5 < IMPLAUSIBLE => plain(encoding_rs::BIG5, "implausible"),
        (Some(_), None) => plain(encoding_rs::GBK, "detected"),
        (None, Some(_)) => plain(encoding_rs::BIG5, "detected"),
        // too little Chinese to judge, or neither decodes cleanly: the detector's word
        _ => plain(guess, "detected"),
    }
}

/// Below this share of common characters a decoding is no Chinese anyone wrote: real pages and
/// feeds score 0.7–0.9, the wrong one of a GBK / Big5 pair and EUC-TW read as GBK 0.1–0.25.
const IMPLAUSIBLE: f64 = 0.4;

/// Bytes that are UTF-8 holding multi-byte characters, with at most one invalid byte per twenty
/// of them (a feed declared ISO-8859-1 that mixes UTF-8 text with a stray Latin-1 byte).
fn mostly_utf8(body: &[u8]) -> bool {
    let (mut multi, mut invalid) = (0usize, 0usize);
    for chunk in body.utf8_chunks() {
        multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    multi >= 2 && invalid * 20 <= multi
}

/// About 1,200 of the most frequent characters of modern Chinese text, simplified forms, most
/// frequent first (general frequency knowledge; traditional forms are derived with zhconv).
const COMMON_HANZI: &str = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵侧";

/// Common characters in simplified and traditional forms.
fn common_hanzi() -> &'static std::collections::HashSet<char> {
    static SET: std::sync::OnceLock<std::collections::HashSet<char>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let traditional = zhconv::zhconv(COMMON_HANZI, zhconv::Variant::ZhHant);
        COMMON_HANZI.chars().chain(traditional.chars()).collect()
    })
}

/// The share of a text's CJK ideographs that are common characters; `None` under 20 of them
/// (too little to judge).
fn plausibility(text: &str) -> Option<f64> {
    let common = common_hanzi();
    let (mut cjk, mut hits) = (0usize, 0usize);
    for c in text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
    {
        cjk += 1;
        hits += usize::from(common.contains(&c));
    }
    (cjk >= 20).then(|| hits as f64 / cjk as f64)
}

/// Decode a response body to text.
pub fn decode(f: &Fetched) -> String {
    decode_bytes(&f.body, f.header("content-type"))
}

pub fn decode_bytes(body: &[u8], content_type: Option<&str>) -> String {
    decode_as(body, detect(body, content_type).0)
}

/// `body` decoded as `enc` (what [`sniff`] chose), as [`decode_bytes`] decodes it.
pub fn decode_as(body: &[u8], enc: &'static Encoding) -> String {
    // GBK pages routinely contain GB18030-only characters; decoding as GB18030 (a superset) loses
    // nothing and mis-decodes nothing.
    let enc = if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    };
    let (text, _, _) = enc.decode(body);
    let mut text = text.into_owned();
    // NUL is no text in any page or feed; a page of NULs (or padded with them) would otherwise
    // become megabytes of replacement characters downstream
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    text
}

fn label(name: &str) -> Option<&'static Encoding> {
    Encoding::for_label(
        name.trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .as_bytes(),
    )
}

fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v.trim())
    })
}

/// `<meta charset="gbk">` or `<meta http-equiv="Content-Type" content="text/html; charset=gbk">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">")
            .map(|e| start + e)
            .unwrap_or(lower.len());
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = rest
                    .iter()
                    .copied()
                    .skip_while(|b| matches!(b, b' ' | b'"' | b'\''))
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                    .collect();
                if let Some(enc) = Encoding::for_label(&value) {
                    return Some(enc);
                }
            }
        }
        from = end;
    }
    None
}

/// The encoding of an XML declaration at the start (`<?xml version="1.0" encoding="big5"?>`),
/// after any whitespace or NUL padding.
fn xml_declared(body: &[u8]) -> Option<&'static Encoding> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0)?;
    let head = &body[start..body.len().min(start + 256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let decl = &head[..find(head, b"?>")?];
    let at = find(decl, b"encoding")? + b"encoding".len();
    let rest = std::str::from_utf8(&decl[at..]).ok()?;
    let value = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    label(&value[..value.find(quote)?])
}

/// Feed text for the XML reader: decoded to UTF-8 by the rules above and without XML
/// declarations — left in, one would make the reader decode a second time by the declared
/// encoding, and one anywhere but at the very start (after padding, a comment, or a second one
/// further down) made quick-xml panic (found by the fuzzer). A declaration belongs only at the
/// start, so every `<?xml …?>` goes.
pub fn feed_text(f: &Fetched) -> String {
    let text = decode(f);
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(at) = rest.find("<?xml") {
        let after = &rest[at + 5..];
        // `<?xml-stylesheet …?>` and other instructions stay
        if !after.starts_with(|c: char| c.is_whitespace() || c == '?') {
            out.push_str(&rest[..at + 5]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        rest = match after.find("?>") {
            Some(end) => &after[end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_by_meta_tag_without_header_charset() {
        let html = "<html><head><meta charset=\"gbk\"><title>充电宝</title></head><body>移动电源鼓包</body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(html);
        let (enc, how) = detect(&bytes, Some("text/html"));
        assert_eq!((enc.name(), how), ("GBK", "meta"));
        assert!(decode_bytes(&bytes, Some("text/html")).contains("移动电源鼓包"));
    }

    #[test]
    fn header_beats_meta_and_http_equiv_is_read() {
        let html =
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">電動車起火";
        let (bytes, _, _) = encoding_rs::BIG5.encode(html);
        assert_eq!(detect(&bytes, None).0.name(), "Big5");
        assert!(decode_bytes(&bytes, None).contains("電動車起火"));
        let utf8 = "<meta charset=gbk>中文";
        assert_eq!(
            detect(utf8.as_bytes(), Some("text/html; charset=UTF-8"))
                .0
                .name(),
            "UTF-8"
        );
    }

    #[test]
    fn detects_gb18030_without_any_label() {
        let text = "消费者投诉：电动自行车在楼道充电时突然起火，烧毁了门口的鞋柜，所幸无人受伤。";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(decode_bytes(&bytes, None), text);
    }

    #[test]
    fn the_xml_declaration_names_a_feed_encoding_and_feed_text_drops_it() {
        let xml = "<?xml version=\"1.0\" encoding='big5' ?><rss><channel><title>行動電源召回</title></channel></rss>";
        let (bytes, _, _) = encoding_rs::BIG5.encode(xml);
        assert_eq!(detect(&bytes, None), (encoding_rs::BIG5, "xml-declaration"));
        // padded with NULs and spaces (the fuzzer's case): still read, and the declaration goes
        let mut padded = vec![0u8; 20];
        padded.extend_from_slice(b"  \n");
        padded.extend_from_slice(&bytes);
        assert_eq!(detect(&padded, None).0, encoding_rs::BIG5);
        let f = Fetched {
            source: "s".into(),
            url: "http://x.test/rss".into(),
            role: crate::model::PageRole::Feed,
            status: 200,
            headers: Vec::new(),
            body: padded,
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        };
        assert_eq!(
            feed_text(&f),
            "<rss><channel><title>行動電源召回</title></channel></rss>"
        );
        // one further down goes too; other processing instructions stay
        let f = Fetched {
            body: b"<!-- c --><?xml version=\"1.0\" encoding=\"gbk\"?><?xml-stylesheet href=\"s.css\"?><rss/>"
                .to_vec(),
            ..f
        };
        assert_eq!(
            feed_text(&f),
            "<!-- c --><?xml-stylesheet href=\"s.css\"?><rss/>"
        );
        // a header still beats the declaration
        assert_eq!(
            detect(&bytes, Some("application/xml; charset=gbk")).1,
            "header"
        );
    }

    #[test]
    fn utf8_bytes_beat_a_legacy_declaration_and_a_true_one_is_kept() {
        let page = "<meta charset=\"gb2312\"><title>儿童玩具召回</title>小零件脱落，存在窒息风险。";
        let s = sniff(page.as_bytes(), Some("text/html"));
        assert_eq!((s.encoding, s.from), (UTF_8, "utf-8-bytes"));
        assert_eq!(s.overrode, Some(("meta", encoding_rs::GBK)));
        assert!(decode_bytes(page.as_bytes(), None).contains("儿童玩具召回"));
        let s = sniff(page.as_bytes(), Some("text/html; charset=GBK"));
        assert_eq!(s.overrode, Some(("header", encoding_rs::GBK)));
        // a true GBK declaration is followed (the bytes are not UTF-8)
        let (gbk, _, _) = encoding_rs::GBK.encode(page);
        let s = sniff(&gbk, None);
        assert_eq!(
            (s.encoding, s.from, s.overrode),
            (encoding_rs::GBK, "meta", None)
        );
        // UTF-8 with one stray Latin-1 byte under an ISO-8859-1 declaration is UTF-8
        let mut mixed = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
            .as_bytes()
            .to_vec();
        for _ in 0..5 {
            mixed.extend_from_slice("<t>Tilføj æbler og blåbær på køkkenbordet</t>".as_bytes());
        }
        mixed.push(0xe6);
        assert_eq!(sniff(&mixed, None).encoding, UTF_8);
        // ... but a Latin-1 page with a few UTF-8-looking pairs is Latin-1
        let (latin1, _, _) =
            encoding_rs::WINDOWS_1252.encode("<meta charset=iso-8859-1>Tilføj æbler, blåbær");
        assert_eq!(sniff(&latin1, None).encoding, encoding_rs::WINDOWS_1252);
        // pure ASCII under a declaration: nothing to override
        assert_eq!(sniff(b"<meta charset=gbk>abc", None).from, "meta");
    }

    #[test]
    fn undeclared_big5_and_gbk_are_told_apart_and_nonsense_is_implausible() {
        let text = "消费者反映，在网上购买的电暖器使用时插头发热冒烟，联系商家后对方拒绝退货，希望有关部门调查处理。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(sniff(&gbk, None).encoding, encoding_rs::GBK);
        let traditional = zhconv::zhconv(text, zhconv::Variant::ZhHant);
        let (big5, _, _) = encoding_rs::BIG5.encode(&traditional);
        let s = sniff(&big5, None);
        assert_eq!((s.encoding, s.from), (encoding_rs::BIG5, "detected"));
        // byte pairs valid in both but no one's writing (as EUC-TW read as either is)
        let mut x: u32 = 16;
        let noise: Vec<u8> = (0..400)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                0xb0 + ((x >> 16) % 0x27) as u8
            })
            .collect();
        assert_eq!(sniff(&noise, None).from, "implausible");
    }

    #[test]
    fn invalid_bytes_never_fail() {
        let bytes = b"<meta charset=utf-8>ok \xff\xfe\x80 end";
        let s = decode_bytes(bytes, None);
        assert!(s.starts_with("<meta") && s.contains('\u{FFFD}') && s.ends_with("end"));
    }
}
