import DeadboltSignIn
import GRDB
