// ExtensionManager.swift: submits OSSystemExtensionRequest activation and deactivation
// requests for the dext and turns every delegate callback into a visible state.
//
// The dext's bundle ID comes from this app's Info.plist (SbcDextBundleIdentifier, set by
// scripts/build-dext.sh or the Xcode project); the dext itself must be inside this app at
// Contents/Library/SystemExtensions/, and the app must run from /Applications.
import Foundation
import SystemExtensions

enum ExtensionState: CustomStringConvertible {
    case idle
    case submitting(String)
    case needsUserApproval
    case activated
    case deactivated
    case willCompleteAfterReboot
    case failed(String)

    var description: String {
        switch self {
        case .idle: return "No request yet."
        case .submitting(let what): return "\(what) request submitted…"
        case .needsUserApproval:
            return "Waiting for approval: open System Settings > Privacy & Security (macOS 13) or "
                + "General > Login Items & Extensions > Driver Extensions (macOS 15) and allow it."
        case .activated: return "Activated. `systemextensionsctl list` shows it [activated enabled]."
        case .deactivated: return "Deactivated."
        case .willCompleteAfterReboot: return "Done after the next restart."
        case .failed(let why): return "Failed: \(why)"
        }
    }

    var isFailure: Bool { if case .failed = self { return true } else { return false } }
    var isBusy: Bool { if case .submitting = self { return true } else { return false } }
}

final class ExtensionManager: NSObject, ObservableObject, OSSystemExtensionRequestDelegate {
    @Published private(set) var state: ExtensionState = .idle
    @Published private(set) var log: [String] = []
    private var pendingActivation = true

    let dextIdentifier: String = Bundle.main.object(forInfoDictionaryKey: "SbcDextBundleIdentifier")
        as? String ?? "(SbcDextBundleIdentifier missing from the app's Info.plist)"

    func activate() {
        submit(OSSystemExtensionRequest.activationRequest(forExtensionWithIdentifier: dextIdentifier,
                                                          queue: .main), "Activation")
    }

    func deactivate() {
        submit(OSSystemExtensionRequest.deactivationRequest(forExtensionWithIdentifier: dextIdentifier,
                                                            queue: .main), "Deactivation")
    }

    private func submit(_ request: OSSystemExtensionRequest, _ what: String) {
        request.delegate = self
        pendingActivation = (what == "Activation")
        note("\(what) of \(dextIdentifier)")
        state = .submitting(what)
        OSSystemExtensionManager.shared.submitRequest(request)
    }

    private func note(_ line: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        log.append("\(stamp) \(line)")
        NSLog("sbc-dext host: %@", line)
    }

    // MARK: OSSystemExtensionRequestDelegate

    func request(_ request: OSSystemExtensionRequest,
                 actionForReplacingExtension existing: OSSystemExtensionProperties,
                 withExtension ext: OSSystemExtensionProperties) -> OSSystemExtensionRequest.ReplacementAction {
        // Always replace: during bring-up every build must reach the system. The system compares
        // CFBundleVersion/CFBundleShortVersionString; raise CURRENT_PROJECT_VERSION per build.
        note("replacing \(existing.bundleShortVersion) (\(existing.bundleVersion)) with "
            + "\(ext.bundleShortVersion) (\(ext.bundleVersion))")
        return .replace
    }

    func requestNeedsUserApproval(_ request: OSSystemExtensionRequest) {
        note("needs user approval")
        state = .needsUserApproval
    }

    func request(_ request: OSSystemExtensionRequest,
                 didFinishWithResult result: OSSystemExtensionRequest.Result) {
        switch result {
        case .completed:
            note("finished: completed")
            state = pendingActivation ? .activated : .deactivated
        case .willCompleteAfterReboot:
            note("finished: will complete after reboot")
            state = .willCompleteAfterReboot
        @unknown default:
            note("finished with an unknown result \(result.rawValue)")
            state = .failed("unknown result \(result.rawValue)")
        }
    }

    func request(_ request: OSSystemExtensionRequest, didFailWithError error: Error) {
        let meaning = Self.meaning(of: error)
        note("failed: \(meaning) [\(error)]")
        state = .failed(meaning)
    }

    /// What an OSSystemExtensionError code means for this dext, in words
    /// (docs/mac-bring-up.md §Troubleshooting has the fixes).
    static func meaning(of error: Error) -> String {
        let nsError = error as NSError
        guard nsError.domain == OSSystemExtensionErrorDomain,
              let code = OSSystemExtensionError.Code(rawValue: nsError.code) else {
            return "\(nsError.domain) \(nsError.code): \(nsError.localizedDescription)"
        }
        let text: String
        switch code {
        case .unknown:
            text = "an unknown error (see `log show --predicate 'process == \"sysextd\"' --last 5m`)"
        case .missingEntitlement:
            text = "this app lacks com.apple.developer.system-extension.install (or its profile does)"
        case .unsupportedParentBundleLocation:
            text = "the app is not in /Applications: copy it there and run it from there"
        case .extensionNotFound:
            text = "no dext with this bundle ID in Contents/Library/SystemExtensions/"
        case .extensionMissingIdentifier:
            text = "the dext's Info.plist has no CFBundleIdentifier"
        case .duplicateExtensionIdentifer:
            text = "two extensions in the app share this bundle ID"
        case .unknownExtensionCategory:
            text = "the bundle is not a recognised system extension (CFBundlePackageType must be DEXT)"
        case .codeSignatureInvalid:
            text = "the dext's signature is invalid: re-sign it (and the app), check its entitlements "
                + "against the provisioning profile"
        case .validationFailed:
            text = "the dext failed validation: usually entitlements the profile does not grant, or "
                + "an unsigned/ad-hoc build without developer mode"
        case .forbiddenBySystemPolicy:
            text = "system policy forbids it (MDM, or SIP/developer-mode settings)"
        case .requestCanceled:
            text = "the request was canceled"
        case .requestSuperseded:
            text = "another request for the same dext is pending; wait, or restart sysextd's queue by rebooting"
        case .authorizationRequired:
            text = "the system could not get authorization; approve in System Settings and retry"
        @unknown default:
            text = "error code \(code.rawValue), new in this macOS"
        }
        return "\(text) (OSSystemExtensionError \(code.rawValue))"
    }
}
