// SbcDextHostApp.swift: the window of the app that activates and deactivates the sbc-dext
// driver extension. The requests and their delegate are in ExtensionManager.swift.
import SwiftUI

@main
struct SbcDextHostApp: App {
    @StateObject private var manager = ExtensionManager()

    var body: some Scene {
        WindowGroup("sbc-dext") {
            ContentView(manager: manager)
        }
    }
}

struct ContentView: View {
    @ObservedObject var manager: ExtensionManager

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text("Driver extension").font(.headline)
            Text(manager.dextIdentifier).font(.system(.body, design: .monospaced)).textSelection(.enabled)
            Text(manager.state.description)
                .foregroundColor(manager.state.isFailure ? .red : .primary)
                .textSelection(.enabled)
            HStack {
                Button("Activate") { manager.activate() }
                Button("Deactivate") { manager.deactivate() }
            }
            .disabled(manager.state.isBusy)
            if !manager.log.isEmpty {
                Divider()
                ScrollView {
                    Text(manager.log.joined(separator: "\n"))
                        .font(.system(.caption, design: .monospaced))
                        .frame(maxWidth: .infinity, alignment: .leading)
                        .textSelection(.enabled)
                }
                .frame(minHeight: 120)
            }
        }
        .padding(20)
        .frame(minWidth: 460)
    }
}
