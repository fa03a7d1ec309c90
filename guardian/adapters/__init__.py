"""The edges: everything that touches a file, the network or the environment.

Lives here: typed settings from the config file (`config`, `tomlfile`), the
state store and its lock (`state`, `lock`), secret files (`secretfile`),
bundled data (`resources`), the one retry policy (`retry`), mail (`mail`),
and the calendar sources (`sources`), each behind one `Source` interface.

May import: `guardian.core`, `guardian.lint`, `guardian.domain` and
`guardian.errors`. Never a use case, a renderer or the CLI. Provider SDKs
(googleapiclient, google.auth, msal) are imported only inside their source
package, and lazily, so start-up stays fast.
"""
