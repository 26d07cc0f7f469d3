//! The kernel model: what macOS does around the dext, enough to run the real shim on Linux.
//!
//! `attach` plays one device's arrival: the nub reads standard INQUIRY and publishes the
//! identity; the personalities of the dext's Info.plist are matched and scored against it
//! ([`matching`]); the winning personality's `IOUserClass` is instantiated from the C++
//! built out of `iig/` and `dext/` (the DriverKit facsimile, `driverkit/`, and the iig
//! stand-in, [`iig`]); then `init`, `Start` and `UserDetermineDeviceCharacteristics` are
//! called (in either order: which one the kernel uses first is unknown, docs/driverkit.md
//! §Unknowns, 4), every framework call the dext makes is served by `host` (host.rs) under the
//! documented rules, and `Stop` and the last release end it. What the dext published is in
//! the registry ([`registry`], printed like `ioreg -l`), what it logged in the log.
//!
//! The documented failure of a wrong personality is reproduced: with `IOClass =
//! IOUserService` the dext starts, `UserDetermineDeviceCharacteristics` never comes, and
//! every framework call returns `kIOReturnUnsupported` (docs/driverkit.md §Known failure
//! modes).

#![allow(unsafe_code)]
// Without the C++ (a cross check for an Apple target, build.rs) the calls into the dext
// are left out, and what only they use is unused.
#![cfg_attr(not(sbc_dext_shim), allow(dead_code, unused_imports))]

#[cfg(sbc_dext_shim)]
mod dext;
mod host;
pub mod iig;
pub mod matching;
pub mod registry;

use plist::{Dictionary, Value};

use host::Host;
pub use host::{LogLine, Services};
use matching::{Matched, NubIdentity, NUB_CLASS};
use registry::{Property, Service};

use crate::attach::Exchange;
use crate::target::{Clock, Target};
use sbc_core::time::{Duration, Instant};
use sbc_core::wire::cdb::Inquiry;
use sbc_core::wire::inquiry::InquiryData;

/// The kernel class a SCSI block-commands dext must name as IOClass.
pub const TYPE00_CLASS: &str = "IOUserSCSIPeripheralDeviceType00";
/// The kernel bundle it lives in.
pub const TYPE00_BUNDLE: &str = "com.apple.iokit.IOSCSIBlockCommandsDevice";
/// The property the dext publishes its report under.
pub const REPORT_PROPERTY: &str = "SBC Device Characteristics";

/// Which of the kernel's two calls comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallOrder {
    /// `Start`, then `UserDetermineDeviceCharacteristics`.
    #[default]
    StartFirst,
    /// `UserDetermineDeviceCharacteristics`, then `Start`.
    CharacterizeFirst,
}

/// What the model loads and how it runs.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// The dext's Info.plist (its root dictionary).
    pub info_plist: Dictionary,
    /// The dext's entitlements.
    pub entitlements: Dictionary,
    /// Use this personality instead of the best-scoring one.
    pub personality: Option<String>,
    /// The call order.
    pub order: CallOrder,
    /// Detach the device once this many commands were sent.
    pub detach_after: Option<usize>,
    /// SbcQuirks entries added to the matched personality, `(name, value)` (the CLI's
    /// `--quirk` / `--no-quirk`: as if the developer had written them into Info.plist).
    pub quirks: Vec<(String, bool)>,
    /// The nub reports a USB transport (`Protocol Characteristics` / `Physical
    /// Interconnect` = `USB`, as Apple's USB mass storage drivers publish it).
    pub usb: bool,
    /// UserSuspendServices fails with this kern_return_t (as when a volume on the disk is
    /// in use: docs/driverkit.md §UserSuspendServices) instead of suspending.
    pub suspend_fails: Option<i32>,
    /// The disk is on USB with this vendor and product ID: the nub reports a USB transport,
    /// and a USB interface above it carries `idVendor` / `idProduct` for SearchProperty.
    pub usb_id: Option<sbc_core::attach::UsbId>,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct KernelOutcome {
    /// The personality that matched, and its score.
    pub matched: Matched,
    /// Its IOClass.
    pub ioclass: String,
    /// `UserDetermineDeviceCharacteristics`'s return and `*result`, when it was called.
    pub characterization: Option<(i32, bool)>,
    /// The registry: the nub, with the dext's service below it.
    pub registry: Service,
    /// What the dext logged.
    pub log: Vec<LogLine>,
    /// Every command the dext sent.
    pub transcript: Vec<Exchange>,
    /// Time the characterization took (UserDetermineDeviceCharacteristics, start to end);
    /// transcript times count from its start.
    pub elapsed: Duration,
    /// The clock it ran on.
    pub clock: Clock,
    /// OSObjects the dext left alive after its last release (0: no leak).
    pub leaked_objects: i64,
    /// Its UserSuspendServices / UserResumeServices calls (which commands went out with
    /// services suspended: each transcript entry's `exclusive`).
    pub services: Services,
}

impl KernelOutcome {
    /// The report the dext published, when it did.
    pub fn report(&self) -> Option<&Property> {
        self.registry.children.first()?.get(REPORT_PROPERTY)
    }

    /// Whether the dext accepted the unit (characterized, `*result = true`).
    pub fn accepted(&self) -> bool {
        self.characterization == Some((0, true))
    }
}

/// Why the dext did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KernelError(pub String);

fn fail<T>(text: impl Into<String>) -> Result<T, KernelError> {
    Err(KernelError(text.into()))
}

/// One device arrival, through the dext's C++ shim, against `target`.
///
/// # Errors
/// The dext does not load: missing entitlements, no personality matches, an IOClass that is
/// not a DriverKit SCSI class, an IOUserClass the dext does not have, or the nub's own
/// INQUIRY failing.
#[cfg(sbc_dext_shim)]
pub fn attach(setup: &Setup, target: Box<dyn Target>) -> Result<KernelOutcome, KernelError> {
    check_entitlements(&setup.entitlements)?;
    let clock = target.clock();
    let mut host = Box::new(Host {
        target,
        clock,
        now: Instant::from_millis(0),
        epoch: std::time::Instant::now(),
        service: Service::new("", ""),
        nub: Service::new(NUB_CLASS, NUB_CLASS),
        nub_parents: usb_parents(setup),
        log: Vec::new(),
        transcript: Vec::new(),
        framework: false,
        suspended: false,
        suspend_fails: setup.suspend_fails,
        services: Services::default(),
        detached: false,
        detach_after: setup.detach_after,
        characterization: None,
    });
    let nub = nub_identity(&mut host)?;
    let mut matched = choose(setup, &nub)?;
    add_quirks(&mut matched.personality, &setup.quirks);
    let ioclass = string(&matched.personality, "IOClass");
    host.framework = check_class(&matched.personality)?;
    let user_class = string(&matched.personality, "IOUserClass");
    host.service = dext_service(&matched, &setup.info_plist);
    host.nub.registered = true;
    for (k, v) in nub.properties() {
        host.nub.set(k, v);
    }
    if setup.usb || setup.usb_id.is_some() {
        host.nub.set("Protocol Characteristics", usb_characteristics());
    }
    let before = dext::live_objects();
    let host_ptr: *mut Host = &mut *host;
    let characterization = run_dext(setup.order, host_ptr, &user_class)?;
    let leaked_objects = dext::live_objects() - before;
    let (began, ended) =
        host.characterization.unwrap_or((Instant::from_millis(0), Instant::from_millis(0)));
    let elapsed = ended.saturating_since(began);
    let Host { service, nub: mut registry, log, mut transcript, suspended, mut services, .. } =
        *host;
    services.suspended_at_end = suspended;
    for x in &mut transcript {
        x.sent_at = Instant::from_millis(x.sent_at.saturating_since(began).as_millis());
    }
    registry.children.push(service);
    Ok(KernelOutcome {
        matched,
        ioclass,
        characterization,
        registry,
        log,
        transcript,
        elapsed,
        clock,
        leaked_objects,
        services,
    })
}

/// The dext's lifecycle: instantiate, init, Start / characterize in `order`, Stop, release.
#[cfg(sbc_dext_shim)]
fn run_dext(
    order: CallOrder,
    host: *mut Host,
    user_class: &str,
) -> Result<Option<(i32, bool)>, KernelError> {
    let Some(object) = Object::new_user_class(user_class) else {
        return fail(format!("the dext has no class {user_class:?} (IOUserClass)"));
    };
    let Some(provider) = Object::new_provider() else { return fail("no memory for the nub") };
    if !object.bind(host.cast(), false) || !provider.bind(host.cast(), true) {
        return fail(format!("{user_class} is not an IOService"));
    }
    // SAFETY: `host` outlives this function's calls into the dext and is only reached
    // through the facsimile while they run.
    let framework = unsafe { (*host).framework };
    let result = Host::enter(host, || {
        if !object.init() {
            log_kernel(host, "init failed: the dext is not started");
            return None;
        }
        let characterize = || {
            framework.then(|| {
                let began = now(host);
                let answer = object.determine_device_characteristics();
                // SAFETY: between dext calls, on the host's thread.
                unsafe { (*host).characterization = Some((began, now(host))) };
                answer
            })
        };
        let mut characterization = None;
        if order == CallOrder::CharacterizeFirst {
            characterization = characterize();
        }
        let started = object.start(&provider);
        if started != host::K_SUCCESS {
            log_kernel(host, &format!("Start failed: {started:#x}"));
        } else if order == CallOrder::StartFirst {
            characterization = characterize();
        }
        if !framework {
            log_kernel(host, "IOClass is not the SCSI peripheral class: no characterization");
        }
        let _ = object.stop(&provider);
        characterization
    });
    Host::enter(host, || drop(object));
    drop(provider);
    Ok(result)
}

#[cfg(sbc_dext_shim)]
use dext::Object;

fn now(host: *mut Host) -> Instant {
    // SAFETY: called between dext calls, on the host's own thread.
    unsafe { (*host).now() }
}

fn log_kernel(host: *mut Host, text: &str) {
    // SAFETY: called between dext calls, on the host's own thread.
    let h = unsafe { &mut *host };
    let at_ms = h.now().as_millis();
    h.log.push(LogLine { at_ms, text: format!("kernel: {text}") });
}

fn check_entitlements(entitlements: &Dictionary) -> Result<(), KernelError> {
    for key in
        ["com.apple.developer.driverkit", "com.apple.developer.driverkit.family.scsicontroller"]
    {
        if entitlements.get(key).and_then(Value::as_boolean) != Some(true) {
            return fail(format!("the dext does not load: entitlement {key} is missing"));
        }
    }
    Ok(())
}

/// The nub's own standard INQUIRY (36 bytes), as IOSCSIPeripheralDeviceNub reads it.
fn nub_identity(host: &mut Host) -> Result<NubIdentity, KernelError> {
    let command = Inquiry { evpd_page: None, allocation_length: 36 }
        .encode()
        .map_err(|_| KernelError("INQUIRY".into()))?;
    let mut data = [0u8; 36];
    let now = host.now();
    let done = host.target.execute(&command, &mut data, now);
    if host.clock == Clock::Virtual {
        host.now = host.now + crate::attach::COMMAND_LATENCY;
    }
    let realized = usize::try_from(done.realized).unwrap_or(0).min(data.len());
    let Ok(inquiry) = InquiryData::parse(&data[..realized]) else {
        return fail(format!("the nub's INQUIRY failed ({})", done.outcome));
    };
    let text = |a: Option<sbc_core::wire::Ascii<'_>>| {
        a.map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned()).unwrap_or_default()
    };
    let inq = inquiry.value;
    Ok(NubIdentity {
        peripheral_device_type: inq.peripheral_device_type.0,
        vendor: text(inq.t10_vendor_identification),
        product: text(inq.product_identification),
        revision: text(inq.product_revision_level),
    })
}

/// The protocol characteristics of a USB-attached unit, as the nub publishes them
/// (IOStorageProtocolCharacteristics.h: kIOPropertyPhysicalInterconnectTypeKey = "Physical
/// Interconnect", kIOPropertyPhysicalInterconnectTypeUSB = "USB").
/// Above the nub of a USB disk with a known ID: the USB interface the mass-storage driver
/// serves, with the device's `idVendor` and `idProduct` (as `IOUSBHostInterface` carries
/// them; interface class 08h, mass storage).
fn usb_parents(setup: &Setup) -> Vec<Service> {
    let Some(id) = setup.usb_id else { return Vec::new() };
    let mut interface = Service::new("IOUSBHostInterface", "IOUSBHostInterface");
    interface.set("idVendor", Property::Number(id.vendor.into()));
    interface.set("idProduct", Property::Number(id.product.into()));
    interface.set("bInterfaceClass", Property::Number(8));
    vec![interface]
}

fn usb_characteristics() -> Property {
    Property::Dictionary(vec![
        ("Physical Interconnect".into(), Property::String("USB".into())),
        ("Physical Interconnect Location".into(), Property::String("External".into())),
    ])
}

/// `quirks` into the personality's SbcQuirks dictionary (made when absent).
fn add_quirks(personality: &mut Dictionary, quirks: &[(String, bool)]) {
    if quirks.is_empty() {
        return;
    }
    if !personality.contains_key(crate::personality::KEY) {
        personality.insert(crate::personality::KEY.into(), Value::Dictionary(Dictionary::new()));
    }
    if let Some(d) = personality.get_mut(crate::personality::KEY).and_then(Value::as_dictionary_mut)
    {
        for (name, on) in quirks {
            d.insert(name.clone(), Value::Boolean(*on));
        }
    }
}

fn choose(setup: &Setup, nub: &NubIdentity) -> Result<Matched, KernelError> {
    let Some(personalities) =
        setup.info_plist.get("IOKitPersonalities").and_then(Value::as_dictionary)
    else {
        return fail("Info.plist has no IOKitPersonalities dictionary");
    };
    match &setup.personality {
        Some(name) => {
            let Some(p) = personalities.get(name).and_then(Value::as_dictionary) else {
                return fail(format!("no personality {name:?}"));
            };
            let Some(score) = matching::score(p, nub) else {
                return fail(format!("personality {name:?} does not match this device"));
            };
            Ok(Matched { name: name.clone(), score, personality: p.clone() })
        }
        None => matching::best(personalities, nub).ok_or_else(|| {
            KernelError(format!(
                "no personality matches {} {} {} (peripheral device type {}): Apple's driver serves it",
                nub.vendor, nub.product, nub.revision, nub.peripheral_device_type
            ))
        }),
    }
}

/// Whether the personality makes the dext a SCSI peripheral driver (true), a plain user
/// service that starts but is never asked to characterize (false), or nothing that loads.
fn check_class(personality: &Dictionary) -> Result<bool, KernelError> {
    match string(personality, "IOClass").as_str() {
        TYPE00_CLASS => {
            let bundle = string(personality, "CFBundleIdentifierKernel");
            if bundle != TYPE00_BUNDLE {
                return fail(format!(
                    "CFBundleIdentifierKernel is {bundle:?}, not {TYPE00_BUNDLE}: the kernel class is not found"
                ));
            }
            Ok(true)
        }
        "IOUserService" => Ok(false),
        "IOSCSIPeripheralDeviceType00" => fail(
            "IOClass names Apple's kernel class IOSCSIPeripheralDeviceType00: the dext never loads",
        ),
        other => fail(format!("IOClass {other:?} is not a DriverKit SCSI peripheral class")),
    }
}

/// The dext's registry entry: named after its IOUserClass, of the personality's IOClass,
/// with the personality's properties.
fn dext_service(matched: &Matched, info_plist: &Dictionary) -> Service {
    let mut service = Service::new(
        &string(&matched.personality, "IOUserClass"),
        &string(&matched.personality, "IOClass"),
    );
    for (k, v) in &matched.personality {
        if let Some(p) = plist_property(v) {
            service.set(k, p);
        }
    }
    service.set("IOProbeScore", Property::Number(u64::try_from(matched.score).unwrap_or(0)));
    service
        .set("IOPersonalityPublisher", Property::String(string(info_plist, "CFBundleIdentifier")));
    service
}

fn plist_property(v: &Value) -> Option<Property> {
    Some(match v {
        Value::String(s) => Property::String(s.clone()),
        Value::Integer(i) => Property::Number(i.as_unsigned()?),
        Value::Boolean(b) => Property::Bool(*b),
        Value::Data(d) => Property::Data(d.clone()),
        Value::Array(a) => Property::Array(a.iter().filter_map(plist_property).collect()),
        Value::Dictionary(d) => Property::Dictionary(
            d.iter().filter_map(|(k, v)| plist_property(v).map(|p| (k.clone(), p))).collect(),
        ),
        _ => return None,
    })
}

fn string(d: &Dictionary, key: &str) -> String {
    d.get(key).and_then(Value::as_string).unwrap_or_default().to_string()
}
