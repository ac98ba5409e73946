//! `#[faasade::main]`: turns one function into the entry point of whichever target the build
//! selects (the local dev server by default). Use it through the `faasade` crate.
//!
//! The function's form picks the handler kind:
//!
//! | function | kind |
//! |---|---|
//! | `async fn(Request, Context) -> Result<impl IntoResponse>` (or just `(Request)`) | HTTP |
//! | `async fn(T, Context) -> Result<U>` with `T: Deserialize`, `U: Serialize` | JSON event |
//! | `fn() -> S` where `S` is a `tower::Service` (an axum `Router`) | service |
//!
//! An HTTP handler is recognised by its first parameter's type being named `Request`; write
//! `#[faasade::main(http)]` or `#[faasade::main(event)]` to say it outright.
//!
//! The attribute also reads the app's `faasade.toml` (beside its `Cargo.toml`) while the app
//! compiles: its `[upstreams]` become the only origins a fetch may reach, on every target, and
//! a mistake in the file is a compile error.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Type, parse_macro_input, parse_quote};

/// Make this function the app's handler. See the crate docs for the accepted forms.
///
/// ```ignore
/// use faasade::{Context, Request, Response, Result};
///
/// #[faasade::main]
/// async fn handle(req: Request, cx: Context) -> Result<Response> {
///     Ok(Response::text(format!("hello {}", req.uri().path())))
/// }
/// ```
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    parse_kind(attr.into())
        .and_then(|kind| expand(kind, func.clone()))
        .unwrap_or_else(|e| with_error(e, func))
        .into()
}

/// The error, plus the function as written and an empty `main`, so the error is the only one
/// the user sees (no "unused import" or "`main` function not found" noise).
fn with_error(error: syn::Error, mut func: ItemFn) -> TokenStream2 {
    rename_main(&mut func);
    let error = error.to_compile_error();
    quote! {
        #error
        #[allow(dead_code)]
        #func
        fn main() {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Http,
    Event,
    Service,
}

fn parse_kind(attr: TokenStream2) -> syn::Result<Option<Kind>> {
    if attr.is_empty() {
        return Ok(None);
    }
    let ident: Ident = syn::parse2(attr.clone()).map_err(|_| unknown_kind(attr.span()))?;
    match ident.to_string().as_str() {
        "http" => Ok(Some(Kind::Http)),
        "event" => Ok(Some(Kind::Event)),
        "service" => Ok(Some(Kind::Service)),
        _ => Err(unknown_kind(ident.span())),
    }
}

fn unknown_kind(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "#[faasade::main] takes no argument, or one of `http`, `event`, `service`",
    )
}

const FORMS: &str = "expected `async fn(Request, Context) -> Result<impl IntoResponse>`, \
     `async fn(Event, Context) -> Result<Output>`, or `fn() -> impl tower::Service` (an axum Router)";

fn expand(kind: Option<Kind>, mut func: ItemFn) -> syn::Result<TokenStream2> {
    let sig = &func.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "#[faasade::main] functions cannot be generic",
        ));
    }
    if let Some(FnArg::Receiver(r)) = sig.inputs.first() {
        return Err(syn::Error::new(
            r.span(),
            "#[faasade::main] goes on a free function, not a method",
        ));
    }
    let arity = sig.inputs.len();
    let is_async = sig.asyncness.is_some();
    let kind = match kind {
        Some(kind) => kind,
        // A plain fn with parameters is a handler missing `async`, not a service factory.
        None if !is_async && arity == 0 => Kind::Service,
        None if first_param_is_request(&func) => Kind::Http,
        None => Kind::Event,
    };
    let problem = match (kind, is_async, arity) {
        (Kind::Service, false, 0) | (Kind::Http | Kind::Event, true, 1 | 2) => None,
        (Kind::Service, true, _) => Some((
            sig.span(),
            "a service factory is a plain `fn() -> impl tower::Service`, not `async`".to_owned(),
        )),
        (Kind::Service, false, _) => Some((
            sig.span(),
            "a service factory takes no arguments: `fn app() -> Router`".to_owned(),
        )),
        (Kind::Http | Kind::Event, false, _) => Some((
            sig.fn_token.span,
            format!("handlers with parameters must be `async`; {FORMS}"),
        )),
        (Kind::Http | Kind::Event, true, _) => Some((
            sig.paren_token.span.join(),
            format!("a handler takes one or two parameters; {FORMS}"),
        )),
    };
    if let Some((span, message)) = problem {
        return Err(syn::Error::new(span, message));
    }

    rename_main(&mut func);
    let name = func.sig.ident.clone();
    // `Response::text(..)` and `req.json()` work inside the handler without extra imports.
    func.block.stmts.insert(
        0,
        parse_quote! {
            #[allow(unused_imports)]
            use ::faasade::{RequestExt as _, ResponseExt as _};
        },
    );

    let span = func.sig.ident.span();
    let handler = match (kind, arity) {
        (Kind::Service, _) => quote_spanned!(span=> ::faasade::handler::from_service(#name())),
        (Kind::Http, 2) => quote_spanned!(span=> ::faasade::handler::from_fn(#name)),
        (Kind::Http, _) => quote_spanned!(span=>
            ::faasade::handler::from_fn(|req: ::faasade::Request, _: ::faasade::Context| #name(req))),
        (Kind::Event, 2) => quote_spanned!(span=> ::faasade::handler::from_event(#name)),
        (Kind::Event, _) => quote_spanned!(span=>
            ::faasade::handler::from_event(move |event, _: ::faasade::Context| #name(event))),
    };
    let declare = declared_upstreams()?;
    Ok(quote! {
        #func
        ::faasade::__entry!(|| {
            #declare
            #handler
        });
    })
}

/// The call that records the app's `[upstreams]` before its handler is made, read from
/// `$CARGO_MANIFEST_DIR/faasade.toml`. The file is also included as bytes, so cargo rebuilds
/// the app when it changes. No file, or no `[upstreams]`, leaves fetch unrestricted.
fn declared_upstreams() -> syn::Result<TokenStream2> {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return Ok(TokenStream2::new());
    };
    let path = std::path::Path::new(&dir).join(faasade_config::FILE);
    let file = faasade_config::AppFile::read(&path)
        .map_err(|e| syn::Error::new(Span::call_site(), e.to_string()))?;
    let Some(file) = file else {
        return Ok(TokenStream2::new());
    };
    let path = path.to_string_lossy().into_owned();
    let origins = file.upstreams.values().map(|u| {
        let (scheme, host, port) = (&u.scheme, &u.host, u.effective_port());
        quote! {
            ::faasade::__private::DeclaredOrigin { scheme: #scheme, host: #host, port: #port }
        }
    });
    Ok(quote! {
        const _: &[u8] = ::core::include_bytes!(#path);
        ::faasade::__private::declare_upstreams(&[#(#origins),*]);
    })
}

/// Users name the handler freely; `main` is the entry point's, so a handler called `main` is
/// renamed.
fn rename_main(func: &mut ItemFn) {
    if func.sig.ident == "main" {
        func.sig.ident = format_ident!("__faasade_handler");
    }
}

fn first_param_is_request(func: &ItemFn) -> bool {
    let Some(FnArg::Typed(arg)) = func.sig.inputs.first() else {
        return false;
    };
    let mut ty = &*arg.ty;
    while let Type::Paren(p) = ty {
        ty = &p.elem;
    }
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Request"))
}
