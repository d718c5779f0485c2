//! `corelab matrix` says, column by column, exactly what `corelab reloc` and `corelab guard`
//! say for each kernel on its own.

use std::process::Command;

use corelab_tests::data;
use serde_json::Value;

fn run(args: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .output()
        .expect("run corelab");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn matrix_columns_equal_per_kernel_reloc_and_guard() {
    let kconfig = data::path("oracle/kconfig.fixed");
    let kernels: Vec<_> = data::kernels().into_iter().map(|(_, p)| p).collect();
    for object in [
        "task_state_flavor",
        "poison_missing",
        "kconfig",
        "ambiguous",
    ] {
        let obj = data::path(&format!("oracle/obj/{object}.o.gz"));
        let mut args = vec![
            "matrix",
            obj.to_str().unwrap(),
            "--json",
            "--kconfig",
            kconfig.to_str().unwrap(),
        ];
        args.extend(kernels.iter().map(|k| k.to_str().unwrap()));
        let m = run(&args);
        let names = m[0]["kernels"].as_array().unwrap().clone();
        for (col, k) in kernels.iter().enumerate() {
            let release = corelab_tests::oracle::release_for(names[col].as_str().unwrap());
            let common = [
                "--target",
                k.to_str().unwrap(),
                "--json",
                "--kconfig",
                kconfig.to_str().unwrap(),
                "--kernel-release",
                &release,
            ];
            let relos: Vec<Value> = {
                let mut a = vec!["reloc", obj.to_str().unwrap()];
                a.extend(common);
                run(&a)
                    .into_iter()
                    .filter(|v| v["type"] == "relo")
                    .collect()
            };
            let progs: Vec<Value> = {
                let mut a = vec!["guard", obj.to_str().unwrap()];
                a.extend(common);
                run(&a)
            };
            let m_relos: Vec<&Value> = m.iter().filter(|v| v["type"] == "relo").collect();
            assert_eq!(m_relos.len(), relos.len(), "{object}");
            for (mr, r) in m_relos.iter().zip(&relos) {
                let cell = &mr["cells"][col];
                assert_eq!(
                    (&mr["sec"], &mr["sec_relo_idx"]),
                    (&r["sec"], &r["sec_relo_idx"])
                );
                assert_eq!(
                    cell["outcome"], r["outcome"],
                    "{object} {} #{}",
                    r["sec"], r["sec_relo_idx"]
                );
                if r["outcome"] == "patched" {
                    assert_eq!(
                        cell["value"], r["res"]["new_val"],
                        "{object} {} #{}",
                        r["sec"], r["sec_relo_idx"]
                    );
                }
            }
            for p in &progs {
                let mp = m
                    .iter()
                    .find(|v| v["type"] == "prog" && v["prog"] == p["prog"])
                    .expect("program row");
                assert_eq!(
                    mp["cells"][col]["verdict"], p["verdict"],
                    "{object} {}",
                    p["prog"]
                );
            }
        }
    }
}
