import RappiDeploy

/// The options of `deploy … kubernetes`, declared once (the port and auth options are
/// `ServerOptions`'). Quantities are Kubernetes' own spellings (`500m`, `1`, `256Mi`, `1Gi`),
/// checked here so a typo is an error at the option rather than a rejected manifest later.
enum KubernetesOptions {
    static let replicas = CommandOption("replicas", default: 2, .atLeast(1), help: "pods to start with")
    static let namespace = CommandOption("namespace", default: "default", OptionRule { dnsLabel($0) },
                                         help: "the Kubernetes namespace")
    static let cpu = CommandOption("cpu", default: "500m", OptionRule { cpuQuantity($0) },
                                   help: "CPU per pod, requested and limited (500m, 1, 2)")
    static let memory = CommandOption("memory", default: "256Mi", OptionRule { memoryQuantity($0) },
                                      help: "memory per pod, requested and limited (256Mi, 1Gi)")
    static let min = CommandOption<Int?>("min", .atLeast(1), help: "fewest pods the autoscaler keeps (default: replicas)")
    static let max = CommandOption<Int?>("max", .atLeast(1), help: "most pods the autoscaler starts (default: 3 × min)")
    static let serving = CommandOption("serving", default: KubernetesServing.deployment,
                                       help: "deployment (Deployment, Service, autoscaler) or kserve (a KServe InferenceService, raw deployment mode)")
    static let registry = CommandOption<String?>("registry", OptionRule { registryProblem($0) },
                                                 help: "push the image to this registry (HOST[:PORT]/PATH) and name it so in the manifests")
    static let rehearse = CommandOption("rehearse", default: false,
                                        help: "run the Deployment's pod here with podman kube play instead of applying to a cluster")

    static var specs: [OptionSpec] {
        [replicas.spec, namespace.spec, cpu.spec, memory.spec, min.spec, max.spec, serving.spec, registry.spec, rehearse.spec]
    }
    static let names = ["replicas", "namespace", "cpu", "memory", "min", "max", "serving", "registry", "rehearse"]

    static func dnsLabel(_ text: String) -> String? {
        let ok = !text.isEmpty && text.count <= 63 && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && text.first != "-" && text.last != "-"
        return ok ? nil : "must be a DNS label: at most 63 lowercase letters, digits and '-', not starting or ending with '-'"
    }

    static func cpuQuantity(_ text: String) -> String? {
        let digits = text.hasSuffix("m") ? String(text.dropLast()) : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let ok = !digits.isEmpty && parts.count <= (text.hasSuffix("m") ? 1 : 2)
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && (Double(digits) ?? 0) > 0
        return ok ? nil : "must be a CPU quantity greater than 0: millicores like 500m, or cores like 1 or 0.5"
    }

    static func memoryQuantity(_ text: String) -> String? {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T"]
        let suffix = suffixes.first { text.hasSuffix($0) } ?? ""
        let digits = text.dropLast(suffix.count)
        let ok = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } && (Int(digits) ?? 0) > 0
        return ok ? nil : "must be a memory quantity like 256Mi, 1Gi or 512M (Ki, Mi, Gi, Ti or k, M, G, T)"
    }

    static func registryProblem(_ text: String) -> String? {
        let ok = !text.isEmpty && !text.hasSuffix("/") && !text.contains("://")
            && text.unicodeScalars.allSatisfy { $0.isASCII && !($0.properties.isWhitespace) && $0 != "@" }
        return ok ? nil : "must be a registry and path like registry.example.com/team (no scheme, no trailing /)"
    }
}

/// How the model is served on Kubernetes.
enum KubernetesServing: String, ChoiceOptionText {
    case deployment, kserve

    var manifests: KubernetesManifests.Serving { self == .kserve ? .kserve : .deployment }
}
