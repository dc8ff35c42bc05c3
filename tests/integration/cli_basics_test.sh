#!/bin/sh
# The arvis command line as a whole: help, version, exit codes for bad usage.
. "$(dirname "$0")/tap.sh"

arvis --version
check "--version prints the version" eval 'rc_is 0 && out_has "arvis 0."'

arvis --help
check "--help lists the commands and exit codes" eval 'rc_is 0 && out_has "config" && out_has "Exit codes"'

arvis
check "no command is bad usage (exit 2) with the help on stderr" eval 'rc_is 2 && err_has "Usage: arvis"'

arvis frobnicate
check "an unknown command exits 2 and says so" eval 'rc_is 2 && err_has "unknown command \"frobnicate\""'

arvis --bogus config path
check "an unknown option exits 2" eval 'rc_is 2 && err_has "unknown option --bogus"'

arvis --set
check "an option without its value exits 2" eval 'rc_is 2 && err_has "needs a value"'

arvis config --help
check "config --help shows every subcommand" eval 'rc_is 0 && out_has "migrate [--dry-run]" && out_has "reference"'

arvis config set --help
check "a subcommand has its own help" eval 'rc_is 0 && out_has "Usage: arvis config set KEY VALUE"'

arvis config
check "config without a subcommand exits 2" eval 'rc_is 2 && err_has "Usage: arvis config"'

arvis config launch
check "an unknown subcommand exits 2 and points at help" eval 'rc_is 2 && err_has "unknown subcommand" && err_has "arvis config --help"'

arvis config get
check "config get without a key exits 2" eval 'rc_is 2 && err_has "takes one KEY"'

arvis config set llm.model
check "config set without a value exits 2" eval 'rc_is 2 && err_has "takes KEY and VALUE"'

arvis config show --yaml
check "config show refuses an unknown argument" eval 'rc_is 2 && err_has "unexpected argument"'

finish
