/* The recruitwatch CLI: one file per subcommand, each exporting its entry point here. */
#ifndef RW_CLI_H
#define RW_CLI_H

#define CLI_EXIT_OK 0
#define CLI_EXIT_FINDINGS 1
#define CLI_EXIT_ERROR 2

int cmd_parse(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_tokens(int argc, char **argv);

#endif
