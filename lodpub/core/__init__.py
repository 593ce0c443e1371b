"""What every other part stands on, with no Flask and no HTTP: the settings table (`settings`), every
namespace and prefix map (`vocab`), the media-type registry and `Accept` negotiation (`formats`,
`negotiation`), the files of a deployment (`sources`), validation at `file:line` (`validate`, `checks`,
`triple_checks`, `locate`, `language_policy`),
the dataset resource and the language rule (`facts`, `languages`), and small shared tools (`cache`,
`locks`, `rdf`)."""
