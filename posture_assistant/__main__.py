from posture_assistant.cli import main

raise SystemExit(main())
