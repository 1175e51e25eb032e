/// Options every command that starts an HTTP server takes (`deploy`, `abtest start`), declared once.
enum ServerOptions {
    static let port = CommandOption<Int?>("port", OptionRule { (1...65535).contains($0) ? nil : "must be between 1 and 65535" },
                                          help: "host port (default: a free one)")
    static let auth = CommandOption("auth", default: AuthMode.key, help: "require an API key (Authorization: Bearer KEY)")
}

/// Whether a server requires an API key.
enum AuthMode: String, ChoiceOptionText {
    case key, none
}
