//! Folding throughput (traditional → simplified, full-width → half-width), the first step of every
//! match and of the index tokenizer. Run: `cargo bench --bench fold`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let simplified =
        "浙江省温州市一居民楼内，一辆电动自行车的锂电池在充电时起火，烧毁了楼道内的杂物。"
            .repeat(200);
    let traditional =
        "浙江省溫州市一居民樓內，一輛電動自行車的鋰電池在充電時起火，燒毀了樓道內的雜物。"
            .repeat(200);
    let mut g = c.benchmark_group("fold");
    g.throughput(Throughput::Bytes(simplified.len() as u64));
    g.bench_function("simplified", |b| {
        b.iter(|| jiance::analyze::fold(std::hint::black_box(&simplified)).len())
    });
    g.throughput(Throughput::Bytes(traditional.len() as u64));
    g.bench_function("traditional", |b| {
        b.iter(|| jiance::analyze::fold(std::hint::black_box(&traditional)).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
