fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aql-corpus/valid");
    for name in std::env::args().skip(1) {
        let text = std::fs::read_to_string(dir.join(format!("{name}.aql"))).unwrap();
        let info = aql_lexer::check_syntax(&text).unwrap();
        let params: Vec<String> = info.bind_parameters.iter().map(|b| format!("{}:{:?}@{}", b.name, b.kind, b.position)).collect();
        println!("{name}\t{:?}\t{}", info.collections, params.join(","));
    }
}
