import Deadbolt
