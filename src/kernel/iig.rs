//! A stand-in for Apple's `iig`, for the syntax `iig/SbcDext.iig` uses, so the unmodified
//! `.iig` and `dext/*.cpp` build with g++ against the DriverKit facsimile.
//!
//! Apple's `iig` reads a class declaration and writes a header (the class as C++, an `ivars`
//! pointer, the dispatch glue of every kernel-dispatched method) and a source file (the
//! metaclass and dispatch tables). What the shim relies on, and this stand-in produces:
//!
//! - `#include <X.iig>` becomes `#include <X.h>`;
//! - the class gains `using super = Base;` and a `Class_IVars *ivars` member (DriverKit
//!   classes keep their state there, docs/driverkit.md §Shim conventions);
//! - a method declared `override` that is not `LOCALONLY` (and not `init`/`free`, which are
//!   `LOCALONLY` in `OSObject.iig`) is kernel-dispatched: the dext implements
//!   `Method_Impl` with `IMPL(Class, Method)`, whose parameters come from the generated
//!   `Class_Method_Args`, and calls `Method(args, SUPERDISPATCH)` to reach the superclass;
//! - `LOCALONLY` methods are plain member functions;
//! - the source defines `dk_new_Class()`, which the kernel model calls to instantiate the
//!   personality's `IOUserClass` (Apple's metaclass registry, reduced to one function).
//!
//! Anything else in a class body is an error naming the line, never silently dropped.
//! build.rs runs it (this file is included there by path); the unit tests below run it too.

/// One method declaration inside the class.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Method {
    return_type: String,
    name: String,
    parameters: String,
    dispatched: bool,
}

/// What `translate` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The class's name.
    pub class: String,
    /// `Class.h`.
    pub header: String,
    /// `Class.iig.cpp`.
    pub source: String,
}

/// Translates one `.iig` file (`name` is used in error messages).
///
/// # Errors
/// A line in the class body this stand-in does not understand, no class, or more than one.
pub fn translate(name: &str, iig: &str) -> Result<Generated, String> {
    let mut header = String::new();
    let mut class: Option<(String, String)> = None;
    let mut methods = Vec::new();
    let mut in_body = false;
    for (number, line) in iig.lines().enumerate() {
        let at = || format!("{name}:{}", number + 1);
        let trimmed = line.trim();
        if let Some(include) = include_of(trimmed) {
            header.push_str(&format!("#include <{include}.h>\n"));
        } else if let Some((c, base)) = class_of(trimmed) {
            if class.is_some() {
                return Err(format!("{}: a second class (one per .iig)", at()));
            }
            header.push_str(&format!("struct {c}_IVars;\n{line}\n"));
            class = Some((c, base));
        } else if class.is_some() && !in_body && trimmed == "{" {
            let (c, base) = class.as_ref().map(|(c, b)| (c.clone(), b.clone())).unwrap_or_default();
            header.push_str(&format!(
                "{{\nprotected:\n    using super = {base};\n    struct {c}_IVars *ivars = nullptr;\n\n"
            ));
            in_body = true;
        } else if in_body && trimmed == "};" {
            header.push_str("};\n");
            in_body = false;
            let c = class.as_ref().map(|(c, _)| c.clone()).unwrap_or_default();
            for m in methods.iter().filter(|m: &&Method| m.dispatched) {
                header.push_str(&format!("#define {c}_{}_Args {}\n", m.name, m.parameters));
            }
        } else if in_body {
            header.push_str(
                &body_line(line, trimmed, &mut methods).map_err(|e| format!("{}: {e}", at()))?,
            );
        } else {
            header.push_str(line);
            header.push('\n');
        }
    }
    let (class, _) = class.ok_or_else(|| format!("{name}: no class declaration"))?;
    if in_body {
        return Err(format!("{name}: the class body of {class} does not end with '}};'"));
    }
    let source = format!(
        "// Generated from {name} by the iig stand-in (src/kernel/iig.rs); do not edit.\n\
         #include \"{class}.h\"\n\n\
         extern \"C\" OSObject *dk_new_{class}(void)\n{{\n    return new {class};\n}}\n"
    );
    let header = format!(
        "// Generated from {name} by the iig stand-in (src/kernel/iig.rs); do not edit.\n{header}"
    );
    Ok(Generated { class, header, source })
}

/// `#include <X.iig>` -> `X`.
fn include_of(line: &str) -> Option<&str> {
    line.strip_prefix("#include <")?.strip_suffix(".iig>")
}

/// `class C: public B` (with or without spaces around the colon) -> (C, B).
fn class_of(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("class ")?;
    let (name, base) = rest.split_once(':')?;
    let base = base.trim().strip_prefix("public")?.trim();
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let name = name.trim();
    (ok(name) && ok(base)).then(|| (name.to_string(), base.to_string()))
}

/// One line of the class body, as the header has it.
fn body_line(line: &str, trimmed: &str, methods: &mut Vec<Method>) -> Result<String, String> {
    let passes = trimmed.is_empty()
        || trimmed.starts_with("//")
        || matches!(trimmed, "public:" | "protected:" | "private:");
    if passes {
        return Ok(format!("{line}\n"));
    }
    let method = method_of(trimmed).ok_or_else(|| format!("not understood: {trimmed}"))?;
    let text = if method.dispatched {
        let args = argument_names(&method.parameters)?;
        let (r, n, p) = (&method.return_type, &method.name, &method.parameters);
        let comma = if p.is_empty() { "" } else { ", " };
        format!(
            "    {r} {n}_Impl({p}) override;\n    {r} {n}({p}{comma}OSDispatchMethod supermethod = nullptr)\n    {{\n        return supermethod ? super::{n}_Impl({args}) : {n}_Impl({args});\n    }}\n"
        )
    } else {
        format!("    {}\n", trimmed.replace(" LOCALONLY", ""))
    };
    methods.push(method);
    Ok(text)
}

/// `virtual kern_return_t Start(IOService * provider) override;` and the like.
fn method_of(line: &str) -> Option<Method> {
    let body = line.strip_suffix(';')?.trim();
    let (head, tail) = body.split_once('(')?;
    let (parameters, annotations) = tail.rsplit_once(')')?;
    let annotations: Vec<&str> = annotations.split_whitespace().collect();
    if annotations.iter().any(|a| !matches!(*a, "override" | "LOCALONLY" | "const")) {
        return None;
    }
    let head = head.trim().strip_prefix("virtual ").unwrap_or(head.trim());
    let (return_type, name) = head.rsplit_once(char::is_whitespace)?;
    let (name, return_type) = (name.trim(), return_type.trim());
    if name.is_empty() || return_type.is_empty() {
        return None;
    }
    let dispatched = annotations.contains(&"override")
        && !annotations.contains(&"LOCALONLY")
        && !matches!(name, "init" | "free");
    let parameters = parameters.trim().to_string();
    Some(Method { return_type: return_type.into(), name: name.into(), parameters, dispatched })
}

/// `IOService * provider, bool * result` -> `provider, result`.
fn argument_names(parameters: &str) -> Result<String, String> {
    if parameters.is_empty() {
        return Ok(String::new());
    }
    let names: Option<Vec<&str>> = parameters
        .split(',')
        .map(|p| {
            let name =
                p.trim().rsplit(|c: char| c.is_whitespace() || c == '*' || c == '&').next()?;
            (!name.is_empty()).then_some(name)
        })
        .collect();
    names.map(|n| n.join(", ")).ok_or_else(|| format!("unnamed parameter in ({parameters})"))
}

#[cfg(test)]
mod test {
    use super::*;

    const IIG: &str = "#include <DriverKit/IOService.iig>\n\
        class D: public Base\n{\npublic:\n    virtual bool init() override;\n\
        virtual kern_return_t Start(IOService * provider) override;\nprotected:\n\
        kern_return_t Helper(bool * ok) LOCALONLY;\n};\n";

    #[test]
    fn test_translates_the_syntax_the_dext_uses() {
        let g = translate("d.iig", IIG).unwrap();
        assert_eq!(g.class, "D");
        assert!(g.header.contains("#include <DriverKit/IOService.h>"));
        assert!(g.header.contains("struct D_IVars;\nclass D: public Base"));
        assert!(g.header.contains("using super = Base;"));
        assert!(g.header.contains("kern_return_t Start_Impl(IOService * provider) override;"));
        assert!(g.header.contains("super::Start_Impl(provider) : Start_Impl(provider)"));
        assert!(g.header.contains("#define D_Start_Args IOService * provider"));
        assert!(g.header.contains("virtual bool init() override;"));
        assert!(!g.header.contains("D_init_Args"));
        assert!(g.header.contains("    kern_return_t Helper(bool * ok);"));
        assert!(g.source.contains("extern \"C\" OSObject *dk_new_D(void)"));
    }

    #[test]
    fn test_refuses_what_it_does_not_understand() {
        let odd = IIG.replace("protected:", "    int member;");
        assert!(translate("d.iig", &odd)
            .unwrap_err()
            .contains("d.iig:7: not understood: int member;"));
        assert!(translate("d.iig", "// nothing\n").unwrap_err().contains("no class"));
        let open = IIG.replace("};", "");
        assert!(translate("d.iig", &open).unwrap_err().contains("does not end"));
        let unnamed = IIG.replace("IOService * provider", "IOService *");
        assert!(translate("d.iig", &unnamed).is_err());
    }
}
